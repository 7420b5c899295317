// Fuzz target: the whole ingest pipeline without I/O — reader, schemas, field rules and the
// sharing policy's decision — as a sender of each role. The first byte picks the sender and the
// wire format. Every rejected record must carry at least one problem with a catalogue code.
#include "api/ingest.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static const auto& snapshot = dg::fuzz::snapshot();
    static const dg::Pseudonymizer pseudonymize(std::string(64, 'f'));
    static const char* senders[] = {"school-12AB", "duo", "gemeente-0363", "gemeente-0599", "coordinator-amsterdam"};
    const dg::Party* sender = snapshot.parties->find_by_name(senders[data[0] % 5]);
    const auto format = (data[0] & 0x80) ? dg::WireFormat::Xml : dg::WireFormat::Json;
    dg::ParseLimits limits;
    limits.max_meldingen = 1000;
    dg::IngestContext ctx{snapshot, pseudonymize, limits, sender, "2026-11-24T09:00:00.000Z", nullptr, {}, true, nullptr};
    const dg::IngestResult r = dg::ingest({reinterpret_cast<const char*>(data + 1), size - 1}, format, ctx);
    for (const auto& rej : r.rejected)
        if (rej.problems.empty() || rej.problems.front().code.empty()) __builtin_trap();
    if (r.outcome == dg::IngestOutcome::Accepted && r.records.empty()) __builtin_trap();
    return 0;
}
