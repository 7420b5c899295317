// Fuzz target: HTTP request handling — Beast's parser under the server's limits, then the API
// (routing, query strings, bodies, roles, the real SQLite store in a temp dir) as a caller of
// each role. The first byte picks the caller. Every request must be answered exactly once with a
// status of the interface, and every refusal with problem+json.
#include <boost/beast/http.hpp>

#include <unistd.h>
#include <future>
#include <set>

#include "api/api.hpp"
#include "fuzz_support.hpp"
#include "net/http_framing.hpp"
#include "store/record_store.hpp"

namespace {

struct World {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("dg-fuzz-http-" + std::to_string(getpid()));
    dg::SnapshotHolder snapshots{std::make_shared<dg::Snapshot>(dg::fuzz::snapshot())};
    std::unique_ptr<dg::RecordStore> store;
    dg::Metrics metrics;
    std::unique_ptr<dg::Api> api;
    World() {
        std::filesystem::remove_all(dir);
        store = dg::open_store("sqlite:" + (dir / "store").string());
        api = std::make_unique<dg::Api>(snapshots, *store, dg::Pseudonymizer(std::string(64, 'h')),
                                        dg::HeadSigner::from_key_file(dir / "signing.key"), metrics);
    }
    ~World() {
        api.reset();
        store.reset();
        std::filesystem::remove_all(dir);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static World world;
    static const char* callers[] = {"00000099000000000201",
                                    "00000099000000000100",
                                    "00000099000000000363",
                                    "00000099000000000901",
                                    "00000099000000000950",
                                    "00000099000000000999",
                                    ""};
    namespace http = boost::beast::http;
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1 << 20);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data + 1, size - 1), ec);
    if (ec || !parser.is_done()) return 0;                 // refused by the parser: the session closes or answers 4xx itself
    if (dg::framing_fault(parser.get().base())) return 0;  // refused by the session (400 and close)
    auto request = std::make_shared<const dg::Request>(parser.release());
    dg::Caller caller{callers[data[0] % 7], "fuzz"};
    std::promise<dg::Response> answer;
    int calls = 0;
    world.api->handle(request, caller, [&](dg::Response&& r) {
        ++calls;
        answer.set_value(std::move(r));
    });
    const dg::Response res = answer.get_future().get();
    static const std::set<int> statuses = {200, 202, 400, 403, 404, 405, 409, 413, 415, 429, 503};
    const int status = static_cast<int>(res.result_int());
    if (calls != 1 || !statuses.count(status)) __builtin_trap();
    if (status >= 400 && res[http::field::content_type] != "application/problem+json") __builtin_trap();
    return 0;
}
