// Fuzz target: the JSON reader (RapidJSON SAX -> canonical records) under the server's limits.
#include "adapters/json_reader.hpp"
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
    Count sink;
    dg::ParseLimits limits;
    limits.max_meldingen = 1000;
    const auto r = dg::read_json_bericht({reinterpret_cast<const char*>(data), size}, limits, sink);
    if (sink.records > limits.max_meldingen) __builtin_trap();  // the limit must hold
    (void)r;
    return 0;
}
