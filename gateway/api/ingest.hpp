#pragma once
// The ingest pipeline without I/O: bytes of a bericht -> canonical records -> checks and policy
// per record -> routed records ready to store, plus every problem found.
#include <string>
#include <string_view>
#include <vector>

#include "adapters/canonical.hpp"
#include "api/snapshot.hpp"
#include "audit/audit_entry.hpp"
#include "store/record_store.hpp"

namespace dg {

enum class WireFormat { Json, Xml };

struct RejectedRecord {
    std::string melding_id;
    Problems problems;
};

struct IngestResult {
    int status = 0;  // 202 when any record is accepted; else 400/403/413/422
    Problems message_problems;
    Envelope envelope;
    const TypePolicy* type = nullptr;
    std::vector<StoredRecord> accepted;
    std::vector<RejectedRecord> rejected;
    std::vector<std::string> subjects;  // pseudonyms of every record seen
    std::size_t records_seen = 0;
};

struct IngestContext {
    const Snapshot& snapshot;
    const Pseudonymizer& pseudonymize;
    ParseLimits limits;
    const Party* sender = nullptr;  // nullptr: offline validation, sender rules not applied
    std::string received_at;        // RFC 3339 UTC
};

IngestResult ingest(std::string_view body, WireFormat format, const IngestContext& ctx);

// Random 128-bit record id, 32 lower-case hex characters.
std::string new_record_id();

}  // namespace dg
