#pragma once
// Retention: records whose retention period (set from the policy when they were stored) has
// ended are deleted, tombstones included; every purge is itself an audit entry.
#include "audit/audit_entry.hpp"
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
AuditEvent system_event(const PolicySet& policy, std::string_view what, std::string action, bool allowed);

// Deletes in batches of `batch` records, each with its audit entry; waits for each commit.
PurgeResult purge_expired(RecordStore& store, const PolicySet& policy, const Date& today, std::size_t batch = 1000);

}  // namespace dg
