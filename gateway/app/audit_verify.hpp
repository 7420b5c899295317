#pragma once
// `audit verify`: recomputes every leaf and subtree of the stored audit log, and checks every
// signed tree head against the recomputed tree and the key it was signed with. Works on either store.
// A log whose oldest periods were removed (audit retention) is recomputed from the edge of the
// removed prefix, which the head closing that period covers; each period from there on must end
// in its period-close entry and closing head, and the removal must be an audit-purge entry.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "audit/audit_log.hpp"

namespace dg {

struct AuditVerifyReport {
    bool ok = true;
    std::uint64_t entries = 0, heads = 0, receipts = 0;
    std::uint64_t removed = 0;  // entries before this index were removed at the end of their retention
    std::optional<std::uint64_t> first_bad_index;
    std::string reason;
};

// `keys`: key id -> PEM public key, the only keys trusted; each head is checked with the key it
// names (a head signed with a key not among them fails).
AuditVerifyReport verify_audit_log(AuditLog& log, const std::map<std::string, std::string>& keys);

}  // namespace dg
