// Fuzz target: the JSON reader (RapidJSON SAX -> canonical records) under the server's limits.
#include "adapters/json_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    dg::fuzz::CountingSink sink;
    dg::ParseLimits limits;
    limits.max_meldingen = 1000;
    const auto r = dg::read_json_bericht({reinterpret_cast<const char*>(data), size}, limits, sink);
    if (sink.records > limits.max_meldingen) __builtin_trap();  // the limit must hold
    (void)r;
    return 0;
}
