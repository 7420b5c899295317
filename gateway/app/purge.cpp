#include "app/purge.hpp"

#include <future>

#include "core/random.hpp"

namespace dg {

AuditEvent system_event(const PolicySet& policy, std::string_view what, std::string action, bool allowed) {
    AuditEvent e;
    e.time = now_rfc3339_utc();
    e.end_time = e.time;
    e.trace_id = random_hex(16);
    e.span_id = random_hex(8);
    e.party_role = "system";
    e.action = std::move(action);
    if (const RolePurpose* p = policy.system_purpose(what)) {
        e.purpose = p->id;
        e.legal_basis = p->legal_basis;
        if (const ProcessingActivity* a = policy.activity(p->id)) e.processing_activity = a->id;
    }
    e.policy_version = policy.version();
    e.outcome = allowed ? "allowed" : "refused";
    e.status = allowed ? 200 : 400;
    return e;
}

PurgeResult purge_expired(RecordStore& store, const PolicySet& policy, const Date& today, std::size_t batch) {
    PurgeResult result;
    for (;;) {
        const auto expired = store.expired(today.iso(), batch);
        if (expired.empty()) return result;
        AuditEvent e = system_event(policy, "bewaartermijn", "purge", true);
        WriteBatch b;
        for (const auto& r : expired) {
            e.record_ids.push_back(r.id);
            if (!r.subject.empty()) e.subjects.push_back(r.subject);
            b.purge.push_back({r.id, r.region});
        }
        b.audit_entries.push_back(canonical_json(std::move(e)));
        const CommitResult c = commit_and_wait(store, std::move(b));
        if (!c.ok) return {result.purged, false, c.error};
        result.purged += expired.size();
    }
}

}  // namespace dg
