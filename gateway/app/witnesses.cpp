#include "app/witnesses.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

#include "core/json_util.hpp"
#include "core/log.hpp"

namespace dg {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct WitnessReply {
    int status = 0;
    std::string body;
    std::string error;  // set when there was no HTTP answer
};

// One POST with a deadline for the whole exchange (connect, write, read); bodies up to 64 KiB.
WitnessReply post(const std::string& host, const std::string& port, const std::string& target, const std::string& body) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    net::ip::tcp::resolver resolver(ioc);
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "text/plain; charset=utf-8");
    req.set(http::field::user_agent, "doorstroom-gateway");
    req.body() = body;
    req.prepare_payload();
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    WitnessReply out;
    stream.expires_after(std::chrono::seconds(5));
    resolver.async_resolve(host, port, [&](beast::error_code ec, net::ip::tcp::resolver::results_type results) {
        if (ec) return void(out.error = ec.message());
        stream.async_connect(results, [&](beast::error_code ec, const net::ip::tcp::endpoint&) {
            if (ec) return void(out.error = ec.message());
            http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
                if (ec) return void(out.error = ec.message());
                http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
                    if (ec) return void(out.error = ec.message());
                    out.status = static_cast<int>(parser.get().result_int());
                    out.body = parser.get().body();
                });
            });
        });
    });
    ioc.run();
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    return out;
}

}  // namespace

Witnesses::Witnesses(const std::vector<WitnessConfig>& witnesses, AuditLog& log, Checkpoint checkpoint, Metrics& metrics)
    : log_(log), checkpoint_(std::move(checkpoint)), metrics_(metrics) {
    for (const auto& c : witnesses) {
        auto key = note::PublicKey::from_pem(read_file(c.public_key));
        if (!key) throw FileError(c.public_key, "", "not an Ed25519 public key (PEM) of witness " + c.name);
        Witness w{c, std::move(*key)};
        const std::string rest = c.url.substr(std::string("http://").size());
        const auto slash = rest.find('/');
        const std::string authority = rest.substr(0, slash);
        w.prefix = slash == std::string::npos ? "" : rest.substr(slash);
        while (!w.prefix.empty() && w.prefix.back() == '/') w.prefix.pop_back();
        const auto colon = authority.rfind(':');
        w.host = authority.substr(0, colon);
        w.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
        witnesses_.push_back(std::move(w));
    }
    if (!witnesses_.empty()) thread_ = std::thread([this] { run(); });
}

Witnesses::~Witnesses() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::string Witnesses::cosignatures(std::uint64_t size, const std::string& root_hex) const {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& w : witnesses_)
        if (!w.line.empty() && w.cosigned_size == size && w.cosigned_root == root_hex) out += w.line;
    return out;
}

std::optional<std::pair<std::uint64_t, std::string>> Witnesses::newest_cosigned() const {
    std::lock_guard lock(mu_);
    std::optional<std::pair<std::uint64_t, std::string>> out;
    for (const auto& w : witnesses_)
        if (!w.line.empty() && (!out || w.cosigned_size > out->first)) out.emplace(w.cosigned_size, w.cosigned_root);
    return out;
}

std::string Witnesses::status_json(std::uint64_t log_size) const {
    std::lock_guard lock(mu_);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartArray();
    for (const auto& x : witnesses_) {
        w.StartObject();
        write_kv(w, "name", x.config.name);
        write_string(w, "cosignedSize");
        w.Uint64(x.cosigned_size);
        write_string(w, "behind");
        w.Uint64(log_size > x.cosigned_size ? log_size - x.cosigned_size : 0);
        w.EndObject();
    }
    w.EndArray();
    return {buf.GetString(), buf.GetSize()};
}

// Once a second: the newest signed head to every witness that has not cosigned it yet.
void Witnesses::run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        lock.unlock();
        std::optional<SignedHead> head;
        try {
            head = log_.latest_head();
        } catch (const std::exception&) {
        }
        const auto now = std::chrono::steady_clock::now();
        for (auto& w : witnesses_) {
            if (!head || head->size == 0) break;
            bool done;
            {
                std::lock_guard l(mu_);
                done = w.cosigned_size == head->size && w.cosigned_root == head->root;
            }
            if (!done && now >= w.next_try) submit(w, *head);
            metrics_.witness(w.config.name, w.cosigned_size, head->size, false);
        }
        lock.lock();
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
    }
}

void Witnesses::submit(Witness& w, const SignedHead& head) {
    merkle::Hash root{};
    if (!merkle::from_hex(head.root, root)) return;
    std::string checkpoint;
    try {
        checkpoint = checkpoint_(head.size, root);
    } catch (const std::exception& e) {
        return log_error("witness: cannot sign a checkpoint", {{"reason", e.what()}});
    }
    const auto signed_note = note::parse(checkpoint);
    std::string problem;
    // A 409 tells the size the witness is at: the second try proves consistency from there.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (w.known_size > head.size) {
            problem = "the witness cosigned a larger log (" + std::to_string(w.known_size) + ") than this one";
            break;
        }
        std::string body = "old " + std::to_string(w.known_size) + "\n";
        try {
            if (w.known_size > 0 && w.known_size < head.size) {
                auto nodes = log_.nodes();
                for (const auto& h : merkle::consistency_proof(*nodes, w.known_size, head.size))
                    body += note::base64({reinterpret_cast<const char*>(h.data()), h.size()}) + "\n";
            }
        } catch (const std::exception& e) {
            problem = std::string("no consistency proof: ") + e.what();
            break;
        }
        body += "\n" + checkpoint;
        const WitnessReply r = post(w.host, w.port, w.prefix + "/add-checkpoint", body);
        if (r.status == 409) {
            std::uint64_t size = 0;
            std::string_view text(r.body);
            while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
            if (std::from_chars(text.data(), text.data() + text.size(), size).ec != std::errc()) {
                problem = "409 without a size";
                break;
            }
            if (size == w.known_size) {
                problem = "the witness refused the checkpoint as a fork of the one it cosigned (409)";
                break;
            }
            w.known_size = size;
            continue;
        }
        if (r.status != 200) {
            problem = r.status ? "answered " + std::to_string(r.status) + ": " + r.body.substr(0, 200) : "unreachable: " + r.error;
            break;
        }
        // The answer is one cosignature line of this witness, over exactly this checkpoint.
        const auto parsed = note::parse("x\n\n" + r.body);
        if (!signed_note || !parsed || parsed->signatures.size() != 1 ||
            !note::verify_cosignature(parsed->signatures[0], w.config.name, w.key, signed_note->text)) {
            problem = "its answer is not a valid cosignature of this checkpoint with its key";
            break;
        }
        {
            std::lock_guard lock(mu_);
            w.known_size = w.cosigned_size = head.size;
            w.cosigned_root = head.root;
            w.line = r.body;
        }
        if (w.failures > 0) log_info("witness: cosigning again", {{"witness", w.config.name}});
        w.failures = 0;
        return;
    }
    if (problem.empty()) problem = "no cosignature after two attempts";
    metrics_.witness(w.config.name, w.cosigned_size, head.size, true);
    // Back-off: 1 s, 2 s, 4 s … up to a minute; logged on the first failure and then every tenth.
    if (w.failures % 10 == 0) log_warn("witness: no cosignature", {{"witness", w.config.name}, {"reason", problem}});
    w.next_try = std::chrono::steady_clock::now() + std::chrono::seconds(std::min(60u, 1u << std::min(w.failures, 6u)));
    ++w.failures;
}

}  // namespace dg
