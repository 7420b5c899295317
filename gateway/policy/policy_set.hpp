#pragma once
// The sharing policy as data (policies/sharing.json) and the engine that applies it per record.
// The file says who may send what about whom, which fields, ages, thresholds, legal basis,
// purpose and retention; this code only interprets it. Each decision names the policy version.
#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/canonical.hpp"
#include "core/dates.hpp"
#include "identity/party.hpp"
#include "routing/region_table.hpp"

namespace dg {

// Changes: an object of fields of another record (a wijziging's `wijzigingen`), judged against that
// record's type once it is known (every path below it is let through here).
enum class FieldKind { Bsn, Onderwijsnummer, Date, Gemeente, Brin, Vestiging, Count, Boolean, Text, Code, RecordId, MessageId, Enum, Changes };

struct FieldSpec {
    std::string path;
    FieldKind kind;
    std::vector<std::string> values;  // Enum only
    std::string one_of;               // Enum: "must be one of: …", made once at load
};

struct Match {  // field at path has this value ("true"/"false" for booleans)
    std::string path, text;
};

struct Rule {
    std::string code, detail;
    std::vector<Match> when, unless;
    std::string field;     // numeric bound on this field (min/max), missing counts as failing
    std::string from, to;  // or: bound on the days from..to
    std::optional<long long> min, max;
    std::string forbid;       // or: this field must be absent
    std::string require;      // or: this field must be present
    bool to_or_sent = false;  // periodDays: a missing `to` counts as the day of verzondenOp (ongoing)
    bool refuse = false;      // or: the record is refused outright
};

struct AgeBound {
    std::vector<Match> when, unless;
    std::string reference;
    int min = 0, below = 0;
};

struct Period {
    std::string from, to;
    bool to_not_after_sent = false;
};

struct SenderScope {
    enum class Kind { OwnBrin, OwnResidents, NewWoongemeente, OwnRegion, National, OriginalSender };
    std::string scope;           // own-brin | own-residents | new-woongemeente | own-region | national | original-sender
    std::string field;           // the record field the scope is checked on
    Kind kind = Kind::National;  // `scope`, parsed once at load
};

struct Retention {
    int years = 0;
    std::string after;                 // field path, or "received"
    bool if_missing_received = false;  // `after` absent (e.g. an ongoing absence without tot): from receipt
    int until_age = 0;
};

struct TypePolicy {
    std::string name;
    std::string not_permitted;                                // "<name> does not permit this field", made once at load
    std::map<std::string, SenderScope, std::less<>> senders;  // role -> scope
    std::string legal_basis;                                  // "inherit": that of the record it concerns
    std::string purpose_id, purpose_name;
    std::vector<FieldSpec> fields;
    std::vector<std::string> required, identifier, not_after_sent;
    std::vector<Period> periods;
    std::vector<AgeBound> age;
    std::vector<Rule> rules;
    std::string routing;      // field holding the gemeente that decides the region
    std::string report_by;    // rapportage: counts of this type also per the value of this field
    std::string record_date;  // field holding the date the record is about
    enum class Effect { None, Withdraw, Move, Status, Change };
    Effect effect_kind = Effect::None;     // effect.kind: none | withdraw | move | status | change (see RecordEffect)
    std::string target_field;              // withdraw/status: field naming the record it concerns
    std::string status_field;              // status: field holding the new status
    std::string from_field;                // move: field naming the gemeente the records must be in
    std::string notice_status;             // move: status of the notice left in a region the records leave
    std::string tombstone_status;          // withdraw: status of the record withdrawn
    std::string changes_field;             // change: the field (of kind changes) holding the new values
    std::vector<std::string> changeable;   // the fields of this type a change may set (policy data)
    std::string status_set;                // status: the status set, when not taken from status_field
    std::string reason_field, reason_key;  // status: the field whose value the history names under reason_key
    struct StatusOf {                      // status without a target: only the subject's records of this type (and content)
        std::string berichttype;
        std::vector<Match> when;
    };
    std::vector<StatusOf> status_of;  // empty: every active record of the subject in the region
    bool in_caseload = false;         // status: the record itself stays in the caseload (as none and move do)
    int notice_years = 0;             // move: how long that notice is kept
    Retention retention;

    const FieldSpec* field(std::string_view path) const;
    // XML carries only text: give counts and booleans their schema type, as JSON has them.
    void apply_text_types(Melding& melding) const;
};

// The codes of one record's problems: a few, held inline (a record costs no allocation for them;
// a record with more than fit spills into a vector).
class ProblemCodes {
public:
    void push_back(std::string_view code) {
        if (n_ < inline_.size()) inline_[n_] = code;
        else more_.push_back(code);
        ++n_;
    }
    void clear() {
        n_ = 0;
        more_.clear();
    }
    bool empty() const { return n_ == 0; }
    std::size_t size() const { return n_; }
    std::string_view operator[](std::size_t i) const { return i < inline_.size() ? inline_[i] : more_[i - inline_.size()]; }

private:
    std::array<std::string_view, 16> inline_{};
    std::vector<std::string_view> more_;
    std::size_t n_ = 0;
};

struct Decision {
    Problems problems;  // empty (and no codes): allowed
    // With codes_only, the problems' codes alone instead: views of literals or of the policy's own
    // strings, valid while its snapshot is.
    ProblemCodes codes;
    bool allowed() const { return problems.empty() && codes.empty(); }
    const TypePolicy* type = nullptr;
    const SenderScope* scope = nullptr;
    std::string gemeente;  // routing gemeente
    Region region;         // empty code when not routable
    std::string subject;   // the raw BSN/onderwijsnummer: only ever pseudonymised, never logged
    std::string retention_until;
    std::string notice_until;  // move: retention of the notice left in the old region
};

// Why a role processes data when it is not sending a berichttype (reads, audits).
struct RolePurpose {
    std::string id, name, legal_basis;
};

// What a role reads (policy data, "Who reads what"): the records of its region, or of its own
// residents only, of the berichttypen listed (none listed: every type), for a purpose of its own.
struct ReadPolicy {
    enum class Scope { Region, OwnResidents };
    Scope scope = Scope::Region;
    std::vector<std::string> berichttypen;  // empty: every type
    RolePurpose purpose;
    bool reads(std::string_view berichttype) const {
        return berichttypen.empty() || std::find(berichttypen.begin(), berichttypen.end(), berichttype) != berichttypen.end();
    }
};

// One processing activity of the register (AVG art. 30), derived from the policy: a purpose with
// what it processes, for whom, how long, on which legal basis. Its id is a URI that changes when
// the policy changes the activity (and only then).
struct ProcessingActivity {
    std::string id;   // urn:x-doorstroom-gateway:verwerking:<purpose id>:<version>
    std::string key;  // the purpose id the audit entries name
    std::string name, purpose, legal_basis;
    std::vector<std::string> data_categories, recipients;
    std::string retention, policy_version;
};

class PolicySet;
std::vector<ProcessingActivity> build_register(const PolicySet& policy);

class PolicySet {
public:
    // Loads <dir>/sharing.json; throws FileError (file, JSON path, reason) when it is not valid.
    static std::shared_ptr<const PolicySet> load(const std::filesystem::path& dir);

    const TypePolicy* type(std::string_view berichttype) const;
    std::vector<std::string> type_names() const;
    bool role_may_use(std::string_view role, std::string_view endpoint) const;
    bool role_may_send(std::string_view role, std::string_view berichttype) const;
    const RolePurpose* role_purpose(std::string_view role) const;
    std::vector<std::string> role_names() const;
    // "beheer" (reloads, start, stop) and "bewaartermijn" (retention purges).
    const RolePurpose* system_purpose(std::string_view what) const;
    const std::vector<ProcessingActivity>& processing_register() const { return register_; }
    const ProcessingActivity* activity(std::string_view purpose_id) const;
    // Statuses that count as closed in the rapportage (besides records no longer active).
    const std::vector<std::string>& closed_statuses() const { return closed_statuses_; }
    // The rapportage's extra grouping: (berichttype, reportBy field path) of every type that has one, by name.
    std::vector<std::pair<std::string, std::string>> report_details() const;
    // nullptr: the role reads no records.
    const ReadPolicy* read_policy(std::string_view role) const;

    // Envelope checks (message level): ids, timestamp, known type.
    Problems check_envelope(const Envelope& envelope) const;

    // Every record-level check of the catalogue and the policy for one record. `sent` is the
    // date of verzondenOp, `today` the day it is received (the caller's clock: retention counts
    // from it); without a sender (offline validation) the scope rules are skipped.
    // `trail`, when given, receives one line per rule applied (explain). `codes_only`: problems
    // carry their code alone (for records whose problems an answer will only count).
    Decision decide(const TypePolicy& type, const Date& sent, const Date& today, const Melding& melding, const Party* sender,
                    const RegionTable& regions, std::vector<std::string>* trail = nullptr, bool codes_only = false) const;
    // The same into a Decision the caller keeps from record to record (its buffers are reused:
    // a batch of 100 000 refused records costs no allocation per record for its codes).
    void decide_into(Decision& d, const TypePolicy& type, const Date& sent, const Date& today, const Melding& melding, const Party* sender,
                     const RegionTable& regions, std::vector<std::string>* trail = nullptr, bool codes_only = false) const;

    const std::string& version() const { return version_; }
    int audit_retention_years() const { return audit_retention_years_; }

private:
    std::map<std::string, TypePolicy, std::less<>> types_;
    std::map<std::string, std::vector<std::string>, std::less<>> endpoints_;
    std::map<std::string, RolePurpose, std::less<>> purposes_;
    std::map<std::string, ReadPolicy, std::less<>> reads_;
    std::map<std::string, RolePurpose, std::less<>> system_purposes_;
    std::vector<ProcessingActivity> register_;
    std::vector<std::string> closed_statuses_;
    std::size_t text_max_length_ = 500;
    std::string version_;
    int audit_retention_years_ = 7;
};

}  // namespace dg
