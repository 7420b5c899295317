#include "app/witness.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <fstream>
#include <thread>

#include "api/responses.hpp"
#include "app/service.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "net/admin_server.hpp"

namespace dg {
namespace {

constexpr std::size_t kMaxProof = 64;  // a consistency proof of any log of up to 2^63 entries is shorter

std::string_view take_line(std::string_view& rest, bool& ok) {
    const auto end = rest.find('\n');
    ok = end != std::string_view::npos;
    if (!ok) return {};
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    return line;
}

Witness::Answer refuse(int status, std::string why) { return {status, std::move(why) + "\n", "text/plain; charset=utf-8"}; }

}  // namespace

Witness::Witness(HeadSigner key, std::string name, std::vector<note::PublicKey> logs, std::filesystem::path state_dir)
    : key_(std::move(key)), name_(std::move(name)), logs_(std::move(logs)), state_dir_(std::move(state_dir)) {
    std::filesystem::create_directories(state_dir_);
}

std::filesystem::path Witness::state_file(const std::string& origin) const {
    return state_dir_ / ("log-" + sha256_hex(origin).substr(0, 32));  // origins are not file names
}

Witness::Latest Witness::load(const std::string& origin) const {
    Latest l;
    const auto file = state_file(origin);
    if (!std::filesystem::exists(file)) return l;
    const auto c = note::parse_checkpoint(read_file(file));
    if (!c || c->origin != origin) throw std::runtime_error("witness state " + file.string() + " is damaged");
    l.known = true;
    l.size = c->size;
    l.root = c->root;
    return l;
}

void Witness::save(const std::string& origin, const note::Checkpoint& c) const { replace_file_durably(state_file(origin), note::checkpoint_text(c)); }

Witness::Answer Witness::add_checkpoint(std::string_view body, std::uint64_t now) {
    bool ok = true;
    const std::string_view first = take_line(body, ok);
    std::uint64_t old = 0;
    if (!ok || first.substr(0, 4) != "old " || std::from_chars(first.data() + 4, first.data() + first.size(), old).ec != std::errc() ||
        std::to_string(old) != first.substr(4))
        return refuse(400, "the body starts with \"old SIZE\"");
    std::vector<merkle::Hash> proof;
    for (;;) {
        const std::string_view line = take_line(body, ok);
        if (!ok) return refuse(400, "no empty line before the checkpoint");
        if (line.empty()) break;
        const auto h = note::unbase64(line);
        if (!h || h->size() != 32 || proof.size() == kMaxProof) return refuse(400, "a proof line is one base64 SHA-256 hash");
        proof.emplace_back();
        std::copy(h->begin(), h->end(), proof.back().begin());
    }
    const auto signed_note = note::parse(body);
    const auto cp = signed_note ? note::parse_checkpoint(signed_note->text) : std::nullopt;
    if (!cp) return refuse(400, "not a signed checkpoint");
    const bool trusted = std::any_of(signed_note->signatures.begin(), signed_note->signatures.end(), [&](const note::Signature& s) {
        return s.name == cp->origin && std::any_of(logs_.begin(), logs_.end(), [&](const note::PublicKey& k) {
                   return s.blob.size() == 68 && s.blob.substr(0, 4) == note::key_hash(s.name, note::kEd25519, k) &&
                          k.verify(signed_note->text, std::string_view(s.blob).substr(4));
               });
    });
    if (!trusted) return refuse(403, "not signed by a log this witness knows");
    if (old > cp->size) return refuse(400, "old is larger than the checkpoint's size");

    std::lock_guard lock(mu_);
    const Latest latest = load(cp->origin);
    if (old != latest.size) return {409, std::to_string(latest.size) + "\n", "text/x.tlog.size"};
    if (old == cp->size) {
        // Nothing new: the same tree again, or (at this size) a different one — a fork.
        if (latest.known ? cp->root != latest.root : cp->root != merkle::empty_root() || !proof.empty())
            return latest.known ? Answer{409, std::to_string(latest.size) + "\n", "text/x.tlog.size"}
                                : refuse(422, "an empty tree has the empty root and no proof");
    } else if (old == 0) {
        if (!proof.empty()) return refuse(422, "a checkpoint after the empty tree needs no proof");
    } else if (!merkle::verify_consistency(old, cp->size, latest.root, cp->root, proof)) {
        log_warn("witness: refused a checkpoint inconsistent with the one cosigned before",
                 {{"origin", cp->origin}, {"cosignedSize", std::to_string(latest.size)}, {"size", std::to_string(cp->size)}});
        return refuse(422, "the consistency proof does not verify");
    }
    if (!latest.known || cp->size > latest.size) save(cp->origin, *cp);
    std::string blob = note::key_hash(name_, note::kCosignatureV1, key_.public_key());
    for (int i = 7; i >= 0; --i) blob += static_cast<char>((now >> (8 * i)) & 0xff);
    blob += key_.sign_raw(note::cosigned_message(signed_note->text, now));
    return {200, note::signature_line(name_, blob), "text/plain; charset=utf-8"};
}

int run_witness(const WitnessOptions& o) {
    std::vector<note::PublicKey> logs;
    for (const auto& file : o.log_keys) {
        auto k = note::PublicKey::from_pem(read_file(file));
        if (!k) throw FileError(file, "", "not an Ed25519 public key (PEM)");
        logs.push_back(std::move(*k));
    }
    if (logs.empty()) throw std::runtime_error("name the public key of the log to witness with --log-key FILE");
    HeadSigner key = HeadSigner::from_key_file(o.key_file);
    const auto pub = std::filesystem::path(o.key_file.string() + ".pub");
    if (!std::filesystem::exists(pub) || read_file(pub) != key.public_key_pem()) replace_file_durably(pub, key.public_key_pem());
    Witness witness(std::move(key), o.name, std::move(logs), o.state_dir);

    boost::asio::io_context ioc;
    AdminServer server(
        ioc, parse_endpoint(o.listen, "--listen"),
        [&](const Request& req) {
            Response res;
            const std::string_view target(req.target().data(), req.target().size());
            if (target != "/add-checkpoint") {
                res = Response{http::status::not_found, req.version()};
                res.body() = "this witness serves POST /add-checkpoint\n";
            } else if (req.method() != http::verb::post) {
                res = Response{http::status::method_not_allowed, req.version()};
                res.set(http::field::allow, "POST");
            } else {
                Witness::Answer a;
                try {
                    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
                    a = witness.add_checkpoint(req.body(), static_cast<std::uint64_t>(now.count()));
                } catch (const std::exception& e) {
                    log_error("witness: cannot keep its state", {{"reason", e.what()}});
                    a = refuse(503, "the witness cannot keep its state");
                }
                res = Response{static_cast<http::status>(a.status), req.version()};
                res.set(http::field::content_type, a.content_type);
                res.body() = std::move(a.body);
                log_info("witness: add-checkpoint", {{"status", std::to_string(a.status)}});
            }
            res.set(http::field::cache_control, "no-store");
            res.prepare_payload();
            return res;
        },
        16 * 1024);
    boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code&, int) {
        server.stop();
        ioc.stop();
    });
    server.start();
    const auto at = server.local_endpoint();
    log_info("listening",
             {{"witness", at.address().to_string() + ":" + std::to_string(at.port())}, {"name", witness.name()}, {"keyFile", o.key_file.string()}});
    ioc.run();
    log_info("stopped");
    return 0;
}

}  // namespace dg
