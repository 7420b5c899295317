#include "app/purge.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <future>

#include "audit/keyring.hpp"
#include "core/random.hpp"

namespace dg {

AuditEvent system_event(const PolicySet& policy, std::string_view what, std::string action, bool allowed, std::string time) {
    AuditEvent e;
    e.time = time.empty() ? now_rfc3339_utc() : std::move(time);
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

namespace {

// The calendar year of an RFC 3339 time, or -1.
int year_of(std::string_view time) {
    int y = 0;
    if (time.size() < 5 || time[4] != '-') return -1;
    for (char c : time.substr(0, 4)) {
        if (c < '0' || c > '9') return -1;
        y = y * 10 + (c - '0');
    }
    return y;
}

std::string time_of_entry(const std::string& entry) {
    rapidjson::Document d;
    d.Parse(entry.data(), entry.size());
    return d.IsObject() && d.HasMember("time") && d["time"].IsString() ? d["time"].GetString() : std::string();
}

}  // namespace

AuditRetentionResult keep_audit_retention(RecordStore& store, const PolicySet& policy, const HeadSigner& signer, const std::string& now,
                                          std::uint64_t step) {
    AuditRetentionResult result;
    AuditLog& log = store.audit();
    const auto commit = [&](WriteBatch b) {
        const CommitResult c = commit_and_wait(store, std::move(b));
        if (!c.ok) throw std::runtime_error(c.error.empty() ? "the store did not commit" : c.error);
    };
    try {
        const int year = year_of(now);
        if (year < 0 || step == 0) throw std::invalid_argument("audit retention: not a time: " + now);
        auto periods = log.periods();
        const std::uint64_t open_from = periods.empty() ? 0 : periods.back().size;
        if (log.committed_size() > open_from) {
            AuditQuery first;
            first.from = open_from;
            first.limit = 1;
            const auto rows = log.entries(first);
            const std::string since = rows.empty() ? std::string() : time_of_entry(rows.front().entry);
            if (const int y = year_of(since); y >= 0 && y < year) {
                AuditEvent e = system_event(policy, "bewaartermijn", "period-close", true, now);
                e.attributes = {{"firstIndex", std::to_string(open_from)}, {"firstEntryTime", since}};
                WriteBatch b;
                b.audit_entries.push_back(canonical_json(std::move(e)));
                b.close_audit_period = now;
                commit(std::move(b));
                result.closed = true;
                periods = log.periods();
            }
        }
        const std::uint64_t removed = log.removed_before();
        for (const auto& p : periods)
            if (p.size > removed && !log.head_at(p.size)) {
                WriteBatch b;
                b.head = sign_tree_head(log, signer, now, p.size);
                commit(std::move(b));
            }
        // Closed before the same moment `auditRetention` years ago (RFC 3339 UTC texts of one
        // layout compare as times; a 29 February cutoff falls between the 28th and 1 March).
        const std::string cutoff = std::to_string(year - policy.audit_retention_years()) + now.substr(4);
        std::uint64_t target = removed, count = 0;
        std::string closed_at;
        for (const auto& p : periods)
            if (p.size > removed && p.closed_at < cutoff) {
                target = p.size;
                closed_at = p.closed_at;
                ++count;
            }
        if (target > removed) {
            const auto head = log.head_at(target);
            if (!head) throw std::runtime_error("the period ending at " + std::to_string(target) + " has no closing head");
            AuditEvent e = system_event(policy, "bewaartermijn", "audit-purge", true, now);
            e.attributes = {{"removedFrom", std::to_string(removed)},
                            {"removedBefore", std::to_string(target)},
                            {"periods", std::to_string(count)},
                            {"periodClosedAt", closed_at},
                            {"closingHeadRoot", head->root},
                            {"closingHeadKeyId", head->key_id},
                            {"retentionYears", std::to_string(policy.audit_retention_years())}};
            std::string entry = canonical_json(std::move(e));
            for (std::uint64_t at = removed; at < target;) {
                at = std::min(target, at + step);
                WriteBatch b;
                if (!entry.empty()) b.audit_entries.push_back(std::move(entry));  // with the first step
                entry.clear();
                b.remove_audit_before = at;
                commit(std::move(b));
            }
            result.removed = target - removed;
        }
        result.removed_before = log.removed_before();
    } catch (const std::exception& e) {
        result.ok = false;
        result.error = e.what();
    }
    return result;
}

}  // namespace dg
