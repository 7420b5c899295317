// Fuzz target: the XML reader (libxml2 reader, no network, no entities, per-record XSD) under the
// server's limits.
#include "adapters/xml_reader.hpp"
#include "fuzz_support.hpp"

namespace {
struct Count final : dg::BerichtSink {
    std::size_t records = 0;
    void on_envelope(const dg::Envelope&) override {}
    void on_melding(dg::Melding&& m) override {
        ++records;
        (void)dg::melding_to_json(m);
    }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto& snapshot = dg::fuzz::snapshot();
    Count sink;
    dg::ParseLimits limits;
    limits.max_meldingen = 1000;
    (void)dg::read_xml_bericht({reinterpret_cast<const char*>(data), size}, limits, sink, snapshot.schemas->xsd());
    if (sink.records > limits.max_meldingen) __builtin_trap();
    return 0;
}
