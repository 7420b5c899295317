// Validation throughput on one core: the whole ingest pipeline (reader, schemas, policy, routing,
// pseudonyms, canonical records) over a batch file, without network or store.
// usage: ingest_bench CONFIG FILE [ROUNDS [--refused]]   prints one JSON line
#include <chrono>
#include <iostream>

#include "api/ingest.hpp"
#include "app/service.hpp"
#include "core/json_util.hpp"

namespace {

// Counts accepted records without keeping them, as the streaming store path does.
struct Discard final : dg::AcceptedRecords {
    std::size_t n = 0;
    void accept(dg::StoredRecord&& r, dg::IngestResult& out) override {
        ++n;
        out.records.push_back({r.melding_id, r.id, r.region});  // accepted, as the store's sink reports it
    }
    void flush(dg::IngestResult&) override {}
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: ingest_bench CONFIG FILE [ROUNDS [--refused]]\n";
        return 2;
    }
    const auto config = dg::load_config(argv[1]);
    const auto snapshot = dg::load_snapshot(config);
    const std::string body = dg::read_file(argv[2]);
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
    const bool refusals = argc > 4 && std::string(argv[4]) == "--refused";  // hostile inputs: judged, not accepted
    const auto format = body.find('<') < body.find('{') ? dg::WireFormat::Xml : dg::WireFormat::Json;
    const dg::Party* duo = snapshot->parties->find_by_name("duo");
    const dg::Pseudonymizer pseudonymize(std::string(64, 'b'));
    double best = 1e9;
    std::size_t records = 0;
    for (int i = 0; i < rounds; ++i) {
        Discard sink;
        dg::IngestContext ctx{*snapshot, pseudonymize,  config.parse, duo,     "2026-11-23T10:00:00.000Z",
                              &sink,     config.report, true,         nullptr, dg::Date{2026, 11, 23}};
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = dg::ingest(body, format, ctx);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (r.outcome != dg::IngestOutcome::Accepted && !refusals) {
            std::cerr << "batch not accepted: " << dg::http_status(r.outcome) << "\n";
            return 1;
        }
        best = std::min(best, s);
        records = sink.n;
    }
    std::cout << "{\"format\":\"" << (format == dg::WireFormat::Xml ? "xml" : "json") << "\",\"records\":" << records << ",\"seconds\":" << best
              << ",\"recordsPerSecond\":" << static_cast<long>(records / best)
              << ",\"mbPerSecond\":" << static_cast<double>(body.size()) / 1048576 / best << "}\n";
    return 0;
}
