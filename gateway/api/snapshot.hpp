#pragma once
// The configuration a request is judged by: policies, party registry and region table, loaded
// once into immutable objects. A reload builds a new Snapshot and swaps the pointer; requests in
// flight keep the one they started with.
#include <memory>
#include <mutex>

#include "identity/party.hpp"
#include "policy/mandates.hpp"
#include "policy/policy_set.hpp"
#include "routing/region_table.hpp"
#include "schemas/schema_set.hpp"

namespace dg {

struct Snapshot {
    std::shared_ptr<const PolicySet> policy;
    std::shared_ptr<const PartyRegistry> parties;
    std::shared_ptr<const RegionTable> regions;
    std::shared_ptr<const SchemaSet> schemas;  // optional in unit tests
    std::shared_ptr<const MandateRegistry> mandates = MandateRegistry::empty();
};

class SnapshotHolder {
public:
    explicit SnapshotHolder(std::shared_ptr<const Snapshot> s) : current_(std::move(s)) {}
    std::shared_ptr<const Snapshot> get() const {
        std::lock_guard lock(mu_);
        return current_;
    }
    void set(std::shared_ptr<const Snapshot> s) {
        std::lock_guard lock(mu_);
        current_ = std::move(s);
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<const Snapshot> current_;
};

}  // namespace dg
