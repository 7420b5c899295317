#pragma once
// Mandates (messages.md "Intermediaries"): an intermediary — a school's software supplier, a
// regional leerplicht bureau — acts for a principal within a period, for the berichttypen and
// endpoints the mandate lists. Policy data beside the party registry, loaded with both at hand so
// that a mandate can never name an unknown party or grant more than the principal itself has.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/dates.hpp"
#include "identity/party.hpp"
#include "policy/policy_set.hpp"

namespace dg {

struct Mandate {
    std::string intermediary_oin, principal_oin;
    Date valid_from, valid_until;           // whole days, both included
    std::vector<std::string> berichttypen;  // it may send for the principal
    std::vector<std::string> endpoints;     // of the policy's role table, that it may use for the principal

    bool valid_on(const Date& day) const { return valid_from <= day && day <= valid_until; }
    bool covers_type(std::string_view berichttype) const;
    bool covers_endpoint(std::string_view endpoint) const;
};

class MandateRegistry {
public:
    // Throws FileError (file, JSON path, reason): unknown keys, unknown parties, an intermediary
    // that is not of role intermediary, a principal that is one, reversed or overlapping periods,
    // berichttypen or endpoints the principal's own role does not have.
    static std::shared_ptr<const MandateRegistry> load(const std::filesystem::path& file, const PartyRegistry& parties, const PolicySet& policy);
    static std::shared_ptr<const MandateRegistry> empty() { return std::make_shared<MandateRegistry>(); }

    // The mandate of `intermediary` for `principal` in force on `day`, or nullptr.
    const Mandate* find(std::string_view intermediary, std::string_view principal, const Date& day) const;
    // Every mandate an intermediary holds (ended and future ones included), in file order.
    std::vector<const Mandate*> of(std::string_view intermediary) const;
    std::size_t size() const { return mandates_.size(); }
    // SHA-256 (hex) of the file's bytes: which mandates were in force, for the audit log.
    const std::string& version() const { return version_; }

private:
    std::vector<Mandate> mandates_;
    std::string version_;
};

}  // namespace dg
