#pragma once
// Retention: records whose retention period (set from the policy when they were stored) has
// ended are deleted, tombstones included; the audit log sheds periods older than the policy's
// auditRetention. Every purge is itself an audit entry.
#include "audit/audit_entry.hpp"
#include "audit/signer.hpp"
#include "core/dates.hpp"
#include "policy/policy_set.hpp"
#include "store/record_store.hpp"

namespace dg {

struct PurgeResult {
    std::size_t purged = 0;
    bool ok = true;
    std::string error;
};

// An audit entry of something the gateway does of its own accord (a purge, a reload): role
// "system", no party, the policy's system purpose `what` ("beheer", "bewaartermijn") and its activity.
// `time`: when it happened (RFC 3339 UTC), default now.
AuditEvent system_event(const PolicySet& policy, std::string_view what, std::string action, bool allowed, std::string time = {});

// Deletes in batches of `batch` records, each with its audit entry; waits for each commit.
PurgeResult purge_expired(RecordStore& store, const PolicySet& policy, const Date& today, std::size_t batch = 1000);

struct AuditRetentionResult {
    bool closed = false;               // this run closed a period
    std::uint64_t removed = 0;         // entries this run removed
    std::uint64_t removed_before = 0;  // the log's removed prefix after the run
    bool ok = true;
    std::string error;
};

// The audit log's own retention, at `now` (RFC 3339 UTC: the caller's clock). A period is the log
// from the end of the last one on; it closes at the first run in a calendar year (UTC) later than
// its first entry's: a `period-close` entry, then a head signed at exactly the period's size (a
// run signs a closing head a crash left unsigned). A period closed longer ago than the policy's
// auditRetention goes: an `audit-purge` entry naming it and its closing head, then its entries in
// steps of `step` per transaction (no stall for the requests committing beside it). What remains
// verifies on its own: the prefix's edge subtrees stay, and the closing head covers them.
AuditRetentionResult keep_audit_retention(RecordStore& store, const PolicySet& policy, const HeadSigner& signer, const std::string& now,
                                          std::uint64_t step = 10000);

}  // namespace dg
