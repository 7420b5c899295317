// loadgen: an HTTPS load generator with mutual TLS, for the gateway and its nginx reference.
//
//   loadgen --url https://127.0.0.1:8443/v1/berichten --ca ca.pem --cert P.crt --key P.key
//           [--method POST] [--body FILE] [--content-type T] [--connections N] [--duration S]
//           [--requests N] [--handshake-per-request] [--rate R] [--threads T] [--label NAME]
//
// Every occurrence of {{n}} in the body (and the URL) is replaced by a number unique to the
// request, so each message gets its own berichtId. Closed loop by default: each connection sends
// its next request when the previous answer is in. --rate R is an open loop: requests are due at
// R per second in total, and latency counts from when a request was due, not from when it could
// be sent (a stall shows up in the percentiles instead of hiding). Prints one JSON line.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;
using net::awaitable;
using net::use_awaitable;

namespace {

struct Options {
    std::string host = "127.0.0.1", port = "8443", target = "/";
    std::string ca, cert, key, body, content_type = "application/json", label = "load";
    http::verb method = http::verb::get;
    int connections = 8, threads = 1;
    double duration = 5, rate = 0;
    long requests = 0;  // 0: run for --duration
    bool handshake_per_request = false;
};

struct Stats {
    std::mutex mu;
    std::vector<double> latency_ms;
    std::map<int, long> statuses;
    long errors = 0, handshakes = 0;
    std::string first_error;
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
    return s;
}

class Run {
public:
    Run(const Options& o, ssl::context& tls) : o_(o), tls_(tls) {}

    awaitable<void> connection(int index) {
        auto ex = co_await net::this_coro::executor;
        tcp::resolver resolver(ex);
        const auto endpoints = co_await resolver.async_resolve(o_.host, o_.port, use_awaitable);
        std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
        beast::flat_buffer buffer;
        const double interval = o_.rate > 0 ? o_.connections / o_.rate : 0;  // seconds between this connection's requests
        auto due = start_ + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(interval * index / o_.connections));
        net::steady_timer timer(ex);
        for (;;) {
            const long n = next_++;
            if (o_.requests ? n >= o_.requests : clock_type::now() >= end_) break;
            if (o_.rate > 0) {
                timer.expires_at(due);
                co_await timer.async_wait(use_awaitable);
            }
            const auto started = o_.rate > 0 ? due : clock_type::now();
            due += std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(interval));
            try {
                if (!stream || o_.handshake_per_request) {
                    stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls_);
                    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(10));
                    co_await beast::get_lowest_layer(*stream).async_connect(endpoints, use_awaitable);
                    beast::get_lowest_layer(*stream).socket().set_option(tcp::no_delay(true));
                    co_await stream->async_handshake(ssl::stream_base::client, use_awaitable);
                    ++handshakes_;
                }
                const std::string id = std::to_string(n) + "-" + std::to_string(run_id_);
                http::request<http::string_body> req{o_.method, replace_all(o_.target, "{{n}}", id), 11};
                req.set(http::field::host, o_.host);
                req.keep_alive(!o_.handshake_per_request);
                if (!o_.body.empty()) {
                    req.set(http::field::content_type, o_.content_type);
                    req.body() = replace_all(o_.body, "{{n}}", id);
                    req.prepare_payload();
                }
                beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(30));
                co_await http::async_write(*stream, req, use_awaitable);
                http::response<http::string_body> res;
                co_await http::async_read(*stream, buffer, res, use_awaitable);
                const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - started).count();
                record(res.result_int(), ms);
                if (o_.handshake_per_request || !res.keep_alive()) {
                    beast::error_code ignored;
                    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(2));
                    co_await stream->async_shutdown(net::redirect_error(use_awaitable, ignored));
                    stream.reset();
                    buffer.clear();
                }
            } catch (const std::exception& e) {
                fail(e.what());
                stream.reset();
                buffer.clear();
            }
        }
    }

    void run() {
        net::io_context ioc(o_.threads);
        start_ = clock_type::now();
        end_ = start_ + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o_.duration));
        run_id_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        for (int i = 0; i < o_.connections; ++i) net::co_spawn(ioc, connection(i), net::detached);
        std::vector<std::thread> extra;
        for (int t = 1; t < o_.threads; ++t) extra.emplace_back([&] { ioc.run(); });
        ioc.run();
        for (auto& t : extra) t.join();
        elapsed_ = std::chrono::duration<double>(clock_type::now() - start_).count();
    }

    void report() {
        auto& v = stats_.latency_ms;
        std::sort(v.begin(), v.end());
        auto pct = [&](double p) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))]; };
        std::ostringstream out;
        out << "{\"label\":\"" << o_.label << "\",\"connections\":" << o_.connections << ",\"mode\":\""
            << (o_.handshake_per_request ? "handshake-per-request" : "keep-alive") << "\""
            << ",\"loop\":\"" << (o_.rate > 0 ? "open" : "closed") << "\"";
        if (o_.rate > 0) out << ",\"targetRate\":" << o_.rate;
        out << ",\"requests\":" << v.size() << ",\"seconds\":" << elapsed_
            << ",\"requestsPerSecond\":" << static_cast<long>(v.size() / std::max(elapsed_, 1e-9)) << ",\"p50ms\":" << pct(0.50)
            << ",\"p90ms\":" << pct(0.90) << ",\"p99ms\":" << pct(0.99) << ",\"maxms\":" << (v.empty() ? 0 : v.back())
            << ",\"handshakes\":" << handshakes_.load() << ",\"errors\":" << stats_.errors << ",\"status\":{";
        bool first = true;
        for (const auto& [code, count] : stats_.statuses) {
            out << (first ? "" : ",") << "\"" << code << "\":" << count;
            first = false;
        }
        out << "}";
        if (!stats_.first_error.empty()) out << ",\"firstError\":\"" << replace_all(stats_.first_error, "\"", "'") << "\"";
        out << "}";
        std::cout << out.str() << std::endl;
    }

private:
    void record(int status, double ms) {
        std::lock_guard lock(stats_.mu);
        stats_.latency_ms.push_back(ms);
        ++stats_.statuses[status];
    }
    void fail(const std::string& what) {
        std::lock_guard lock(stats_.mu);
        if (stats_.errors++ == 0) stats_.first_error = what;
    }

    const Options& o_;
    ssl::context& tls_;
    Stats stats_;
    std::atomic<long> next_{0}, handshakes_{0};
    clock_type::time_point start_, end_;
    long long run_id_ = 0;
    double elapsed_ = 0;
};

Options parse(int argc, char** argv) {
    Options o;
    auto need = [&](int& i) -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(std::string(argv[i]) + " needs a value");
        return argv[++i];
    };
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--url") {
            const std::string url = need(i);
            if (url.rfind("https://", 0) != 0) throw std::runtime_error("--url must start with https://");
            const auto rest = url.substr(8), slash = rest.substr(0, rest.find('/'));
            o.target = rest.find('/') == std::string::npos ? "/" : rest.substr(rest.find('/'));
            o.host = slash.substr(0, slash.rfind(':'));
            o.port = slash.rfind(':') == std::string::npos ? "443" : slash.substr(slash.rfind(':') + 1);
        } else if (a == "--ca") o.ca = need(i);
        else if (a == "--cert") o.cert = need(i);
        else if (a == "--key") o.key = need(i);
        else if (a == "--method") o.method = http::string_to_verb(need(i));
        else if (a == "--body") {
            std::ifstream in(need(i), std::ios::binary);
            if (!in) throw std::runtime_error("--body: cannot read the file");
            std::ostringstream ss;
            ss << in.rdbuf();
            o.body = ss.str();
            if (o.method == http::verb::get) o.method = http::verb::post;
        } else if (a == "--content-type") o.content_type = need(i);
        else if (a == "--connections") o.connections = std::stoi(need(i));
        else if (a == "--threads") o.threads = std::stoi(need(i));
        else if (a == "--duration") o.duration = std::stod(need(i));
        else if (a == "--requests") o.requests = std::stol(need(i));
        else if (a == "--rate") o.rate = std::stod(need(i));
        else if (a == "--label") o.label = need(i);
        else if (a == "--handshake-per-request") o.handshake_per_request = true;
        else throw std::runtime_error("unknown option " + a + " (see the comment at the top of bench/loadgen.cpp)");
    }
    if (o.ca.empty() || o.cert.empty() || o.key.empty()) throw std::runtime_error("--ca, --cert and --key are required");
    if (o.connections < 1 || o.threads < 1) throw std::runtime_error("--connections and --threads must be at least 1");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        ssl::context tls(ssl::context::tls_client);
        tls.load_verify_file(o.ca);
        tls.use_certificate_chain_file(o.cert);
        tls.use_private_key_file(o.key, ssl::context::pem);
        tls.set_verify_mode(ssl::verify_peer);
        Run run(o, tls);
        run.run();
        run.report();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "loadgen: " << e.what() << "\n";
        return 2;
    }
}
