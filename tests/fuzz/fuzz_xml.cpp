// Fuzz target: the XML reader (libxml2 reader, no network, no entities, per-record XSD) under the
// server's limits.
#include "adapters/xml_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto& snapshot = dg::fuzz::snapshot();
    dg::fuzz::CountingSink sink;
    dg::ParseLimits limits;
    limits.max_meldingen = 1000;
    (void)dg::read_xml_bericht({reinterpret_cast<const char*>(data), size}, limits, sink, snapshot.schemas->xsd());
    if (sink.records > limits.max_meldingen) __builtin_trap();
    return 0;
}
