#pragma once
// `audit verify`: recomputes every leaf and subtree of the stored audit log, and checks every
// signed tree head against the recomputed tree and the public key. Works on either store.
#include <cstdint>
#include <optional>
#include <string>

#include "audit/audit_log.hpp"

namespace dg {

struct AuditVerifyReport {
    bool ok = true;
    std::uint64_t entries = 0, heads = 0;
    std::optional<std::uint64_t> first_bad_index;
    std::string reason;
};

AuditVerifyReport verify_audit_log(AuditLog& log, const std::string& public_key_pem);

}  // namespace dg
