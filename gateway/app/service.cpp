#include "app/service.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <future>

#include "app/purge.hpp"
#include "core/dates.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"

namespace dg {

namespace net = boost::asio;
using tcp = net::ip::tcp;

tcp::endpoint parse_endpoint(const std::string& text, const char* what) {
    const auto colon = text.rfind(':');
    unsigned port = 0;
    if (colon == std::string::npos || std::from_chars(text.data() + colon + 1, text.data() + text.size(), port).ec != std::errc() || port > 65535)
        throw std::runtime_error(std::string(what) + " must be HOST:PORT, got '" + text + "'");
    std::string host = text.substr(0, colon);
    if (host == "localhost") host = "127.0.0.1";
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto addr = net::ip::make_address(host, ec);
    if (ec) throw std::runtime_error(std::string(what) + ": '" + host + "' is not an IP address");
    return {addr, static_cast<unsigned short>(port)};
}

namespace {

StoreOptions store_options(const Config& c, const PolicySet& policy) {
    StoreOptions o;
    o.max_queue = c.max_write_queue;
    o.report_details = policy.report_details();
    return o;
}

// The web UI's files, read once at start; without the folder there is no UI (and a log line).
std::map<std::string, UiFile, std::less<>> load_ui(const std::filesystem::path& dir) {
    std::map<std::string, UiFile, std::less<>> files;
    if (dir.empty() || !std::filesystem::is_directory(dir)) {
        log_warn("no web UI: its folder is missing", {{"folder", dir.string()}});
        return files;
    }
    const std::map<std::string, std::string> types = {{".html", "text/html; charset=utf-8"},
                                                      {".js", "text/javascript; charset=utf-8"},
                                                      {".css", "text/css; charset=utf-8"},
                                                      {".svg", "image/svg+xml"},
                                                      {".png", "image/png"},
                                                      {".ico", "image/x-icon"}};
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto type = types.find(entry.path().extension().string());
        if (!entry.is_regular_file() || type == types.end()) continue;
        files[entry.path().filename().string()] = {type->second, read_file(entry.path())};
    }
    return files;
}

}  // namespace

void check_policy_within_schemas(const PolicySet& policy, const SchemaSet& schemas, const std::filesystem::path& policy_file) {
    for (const auto& name : policy.type_names()) {
        const std::string at = "/berichttypen/" + name;
        if (!schemas.has_type(name)) throw FileError(policy_file, at, "no schemas/json/" + name + ".schema.json for this berichttype");
        const auto& leaves = schemas.leaf_paths(name);
        for (const auto& f : policy.type(name)->fields)
            // A field of changes is an open object here: judged against the changed record's schema.
            if (f.kind != FieldKind::Changes && std::find(leaves.begin(), leaves.end(), f.path) == leaves.end())
                throw FileError(policy_file, at + "/fields/" + f.path, "permits a field that schemas/json/" + name + ".schema.json does not have");
    }
}

std::shared_ptr<const Snapshot> load_snapshot(const Config& config) {
    auto s = std::make_shared<Snapshot>();
    s->policy = PolicySet::load(config.policies);
    s->parties = PartyRegistry::load(config.parties);
    if (!config.mandates.empty()) s->mandates = MandateRegistry::load(config.mandates, *s->parties, *s->policy);
    auto regions = RegionTable::load(region_table_path(config));
    for (const auto& c : regions.conflicts) log_warn("region table conflict", {{"detail", c}});
    s->regions = regions.table;
    s->schemas = SchemaSet::load(config.schemas);
    // The schema is the catalogue's outer bound: a policy may permit fewer fields, never more.
    check_policy_within_schemas(*s->policy, *s->schemas, config.policies / "sharing.json");
    return s;
}

Service::Service(Config config)
    : config_(std::move(config)),
      snapshots_(load_snapshot(config_)),
      store_(open_store(store_url(config_), store_options(config_, *snapshots_.get()->policy))),
      tls_(make_server_tls_context(config_.tls)) {
    work_ = std::make_unique<net::thread_pool>(config_.workers ? config_.workers : std::max(2u, std::thread::hardware_concurrency()));
    ApiOptions options;
    heavy_ = std::make_unique<net::thread_pool>(2);
    options.run_work = [pool = work_.get()](std::function<void()> job) { net::post(*pool, std::move(job)); };
    options.run_heavy = [pool = heavy_.get()](std::function<void()> job) { net::post(*pool, std::move(job)); };
    options.limits = config_.parse;
    options.report = config_.report;
    options.bulk_threshold_bytes = config_.bulk_threshold_bytes;
    options.party_rate = config_.party_rate;
    options.party_burst = config_.party_burst;
    options.peer_id = config_.peer_id;
    options.checkpoint_origin = config_.checkpoint_origin;
    options.audit_keys_dir = audit_keys_dir(config_);
    options.cosignatures = [this](std::uint64_t size, const std::string& root) {
        return witnesses_ ? witnesses_->cosignatures(size, root) : std::string();
    };
    options.witnessed_head = [this]() -> std::optional<std::pair<std::uint64_t, std::string>> {
        return witnesses_ ? witnesses_->newest_cosigned() : std::nullopt;
    };
    if (std::filesystem::exists(config_.openapi)) options.openapi_json = read_file(config_.openapi);
    const std::string openapi = options.openapi_json;
    options.ui = load_ui(config_.ui);
    api_ = std::make_unique<Api>(snapshots_, *store_, Pseudonymizer::from_key_file(key_path(config_, config_.pseudonym_key_file)),
                                 HeadSigner::from_key_file(key_path(config_, config_.signing_key_file)), metrics_, options);
    metrics_.set_audit_size(store_->audit().committed_size());
    metrics_.set_audit_removed(store_->audit().removed_before());
    witnesses_ = std::make_unique<Witnesses>(
        config_.witnesses, store_->audit(),
        [this](std::uint64_t size, const merkle::Hash& root) { return api_->signer().checkpoint(config_.checkpoint_origin, size, root); }, metrics_);
    if (!config_.tls.crl.empty()) metrics_.set_crl_next_update(crl_next_update(config_.tls.crl).value_or(0));
    https_ = std::make_unique<HttpsServer>(ioc_, tls_, parse_endpoint(config_.listen, "--listen"), config_.limits, *api_, metrics_);
    admin_ = std::make_unique<AdminServer>(ioc_, parse_endpoint(config_.admin_listen, "--admin-listen"), [this, openapi](const Request& req) {
        const std::string_view target(req.target().data(), req.target().size());
        Response res;
        if (target == "/healthz") res = json_response(200, R"({"status":"up"})");
        else if (target == "/readyz") {
            // A witness behind does not make the gateway unready: it is shown, with the metrics.
            const bool ready = store_->ready() && !stopping_;
            std::string body = ready ? R"({"ready":true)" : R"({"ready":false)";
            if (!witnesses_->empty()) body += ",\"witnesses\":" + witnesses_->status_json(metrics_.audit_size());
            res = json_response(ready ? 200 : 503, body + "}");
        } else if (target == "/metrics") {
            res = json_response(200, metrics_.prometheus());
            res.set(http::field::content_type, "text/plain; version=0.0.4");
        } else if (target == "/v1/openapi.json" && !openapi.empty()) {
            res = json_response(200, openapi);  // the API document, for tooling that holds no client certificate
        } else res = problem_response(404, "Not found", "admin endpoints: /healthz /readyz /metrics /v1/openapi.json", {});
        standard_headers(res);
        return res;
    });
}

Service::~Service() {
    stop();
    if (stopper_.joinable()) stopper_.join();
}

void Service::start() {
    https_->start();
    admin_->start();
    const unsigned n = config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
    auto guard = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(ioc_.get_executor());
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this, guard] { ioc_.run(); });
    purger_ = std::thread([this] { housekeeping(); });
    const auto https = https_->local_endpoint(), admin = admin_->local_endpoint();
    const std::string https_at = https.address().to_string() + ":" + std::to_string(https.port());
    const std::string admin_at = admin.address().to_string() + ":" + std::to_string(admin.port());
    log_info("listening", {{"https", https_at}, {"admin", admin_at}, {"policyVersion", snapshots_.get()->policy->version()}});
    // The versions of everything in force from now on (policy, registry, mandates, regions).
    audit_system_event("start", true, {{"version", DG_VERSION}, {"keyId", api_->signer().key_id()}});
}

// Once a second: while the store is unavailable, probe it until it answers again (that is what
// makes /readyz recover by itself); every 5 s a probe anyway, every 10 s a signed tree head when the log
// grew; the retention purge hourly.
void Service::housekeeping() {
    using clock = std::chrono::steady_clock;
    auto next_probe = clock::now(), next_head = clock::now(), next_purge = clock::now(), next_crl_warning = clock::now();
    bool was_ready = true;
    std::unique_lock lock(stop_mu_);
    while (!stopping_) {
        lock.unlock();
        const auto now = clock::now();
        if (!store_->ready() || now >= next_probe) {
            store_->probe();
            next_probe = now + std::chrono::seconds(5);
            if (store_->ready()) try {
                    store_->maintain();
                } catch (const std::exception& e) {
                    log_warn("store upkeep failed; the next round tries again", {{"reason", e.what()}});
                }
        }
        memory::trim_after_large_messages();
        const bool ready = store_->ready();
        metrics_.set_store_ready(ready);
        if (ready != was_ready) {
            if (ready) log_info("store available again");
            else log_error("store unavailable: requests are refused with 503 until it answers again");
            was_ready = ready;
        }
        if (ready && now >= next_purge) {
            PurgeResult r;
            const auto policy = snapshots_.get()->policy;
            try {
                r = purge_expired(*store_, *policy, today_utc());
            } catch (const std::exception& e) {
                r = {0, false, e.what()};
            }
            if (r.purged > 0 || !r.ok) log_info("retention purge", {{"purged", std::to_string(r.purged)}, {"result", r.ok ? "ok" : r.error}});
            const AuditRetentionResult a = keep_audit_retention(*store_, *policy, api_->signer(), now_rfc3339_utc());
            if (a.ok) metrics_.set_audit_removed(a.removed_before);
            if (a.closed || a.removed > 0 || !a.ok)
                log_info("audit retention", {{"periodClosed", a.closed ? "true" : "false"},
                                             {"removedEntries", std::to_string(a.removed)},
                                             {"removedBefore", std::to_string(a.removed_before)},
                                             {"result", a.ok ? "ok" : a.error}});
            next_purge = now + (r.ok && a.ok ? std::chrono::minutes(60) : std::chrono::minutes(1));
        }
        // A CRL about to pass its nextUpdate would lock every client out: say so, hourly, in time.
        if (const auto crl = metrics_.crl_next_update(); crl != 0 && now >= next_crl_warning) {
            const auto left = crl - std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
            if (left < 24 * 3600) {
                log_warn("the client CRL passes its nextUpdate within a day: publish a fresh one and send SIGHUP",
                         {{"secondsLeft", std::to_string(left)}});
                next_crl_warning = now + std::chrono::hours(1);
            }
        }
        if (ready && now >= next_head) {
            try {
                api_->publish_head();
            } catch (const std::exception& e) {
                log_error("cannot publish an audit tree head", {{"reason", e.what()}});
            }
            next_head = now + std::chrono::seconds(10);
        }
        lock.lock();
        stopped_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
}

// A system event in the audit log (no party, role "system"), with the versions of what is in
// force; waits (bounded) until it is stored.
void Service::audit_system_event(const std::string& action, bool allowed, std::map<std::string, std::string> attributes) {
    const auto s = snapshots_.get();
    AuditEvent e = system_event(*s->policy, "beheer", action, allowed);
    attributes["partiesVersion"] = s->parties->version();
    attributes["mandatesVersion"] = s->mandates->version().empty() ? "none" : s->mandates->version();
    attributes["regionsVersion"] = s->regions->version();
    e.attributes = std::move(attributes);
    WriteBatch b;
    b.audit_entries.push_back(canonical_json(std::move(e)));
    auto done = std::make_shared<std::promise<CommitResult>>();
    auto committed = done->get_future();
    store_->submit(std::move(b), [done](const CommitResult& c) { done->set_value(c); });
    if (committed.wait_for(std::chrono::seconds(10)) != std::future_status::ready || !committed.get().ok)
        log_error("cannot write a system event to the audit log", {{"action", action}});
}

bool Service::reload() {
    bool ok = false;
    std::string reason;
    try {
        // Certificates, CA and CRL too; connections already open keep the context they began with.
        auto tls = make_server_tls_context(config_.tls);
        const std::string regions_before = snapshots_.get()->regions->version();
        snapshots_.set(load_snapshot(config_));
        // A region table imported since (regions import) takes effect now: its own entry.
        if (const std::string now = snapshots_.get()->regions->version(); now != regions_before)
            audit_system_event("regions-import", true, {{"previousRegionsVersion", regions_before}});
        tls_.set(std::move(tls));
        if (!config_.tls.crl.empty()) metrics_.set_crl_next_update(crl_next_update(config_.tls.crl).value_or(0));
        log_info("configuration reloaded",
                 {{"policyVersion", snapshots_.get()->policy->version()}, {"mandatesVersion", snapshots_.get()->mandates->version()}});
        ok = true;
    } catch (const std::exception& e) {
        reason = e.what();  // file, path and why: no personal data in configuration files
        log_error("reload refused; the previous configuration stays", {{"reason", reason}});
    }
    metrics_.reload(ok);
    audit_system_event("reload", ok, ok ? std::map<std::string, std::string>{} : std::map<std::string, std::string>{{"reason", reason}});
    return ok;
}

void Service::stop() {
    {
        std::lock_guard lock(stop_mu_);
        if (stopping_) return;
        stopping_ = true;
    }
    log_info("draining");
    stopped_cv_.notify_all();  // wakes the purger
    if (purger_.joinable()) purger_.join();
    https_->drain();
    admin_->stop();
    const auto deadline = std::chrono::steady_clock::now() + config_.drain_timeout;
    auto wait_until = [&](std::chrono::steady_clock::time_point until) {
        while (https_->open_connections() > 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    };
    wait_until(deadline);
    if (https_->open_connections() > 0) {
        // Past the drain timeout: what is still open is cut off; a request not yet answered is
        // not acknowledged (and a message still being read is not stored).
        log_warn("drain timeout: closing the connections still open", {{"open", std::to_string(https_->open_connections())}});
        https_->abort_all();
        wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(2));
    }
    // The last entry of this process, once every request it acknowledged is in (when the store can
    // take it: a store that is down is the likely reason to stop).
    if (store_->ready()) audit_system_event("stop", true, {{"version", DG_VERSION}});
    ioc_.stop();
    for (auto& t : threads_)
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
    work_->join();  // requests still being judged finish (their answers have nowhere to go now)
    heavy_->join();
    witnesses_.reset();
    store_->close();
    // Answers that arrived after the stop hold their sessions: let them finish (on closed sockets
    // they fail at once) while the server they belong to still exists.
    ioc_.restart();
    while (ioc_.poll() > 0) {
    }
    log_info("stopped");
    std::lock_guard lock(stop_mu_);
    stopped_ = true;
    stopped_cv_.notify_all();
}

void Service::wait() {
    std::unique_lock lock(stop_mu_);
    stopped_cv_.wait(lock, [&] { return stopped_; });
}

void Service::handle_signals() {
    auto term = std::make_shared<net::signal_set>(ioc_, SIGTERM, SIGINT);
    term->async_wait([this, term](const boost::system::error_code& ec, int) {
        if (ec) return;
        // stop() joins the pool, so it runs on a thread of its own.
        stopper_ = std::thread([this] { stop(); });
    });
    hup_ = std::make_unique<net::signal_set>(ioc_, SIGHUP);
    wait_for_hup();
}

void Service::wait_for_hup() {
    hup_->async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        reload();
        wait_for_hup();
    });
}

}  // namespace dg
