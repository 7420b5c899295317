#pragma once
// The running gateway: snapshots, store, TLS, the HTTPS and admin listeners and their threads.
// main() and the integration tests both run it; tests listen on port 0.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "api/api.hpp"
#include "app/config.hpp"
#include "app/witnesses.hpp"
#include "net/admin_server.hpp"
#include "net/https_server.hpp"

namespace dg {

// "HOST:PORT" (an IP address, or localhost) as an endpoint; throws naming `what` when it is not one.
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& text, const char* what);

// Every field the policy permits must exist in the type's JSON Schema; throws FileError if not.
void check_policy_within_schemas(const PolicySet& policy, const SchemaSet& schemas, const std::filesystem::path& policy_file);

// Loads policies, party registry, region table and schemas; throws FileError when one is not valid.
std::shared_ptr<const Snapshot> load_snapshot(const Config& config);

class Service {
public:
    explicit Service(Config config);  // binds the listeners; throws on any start-up problem
    ~Service();

    boost::asio::ip::tcp::endpoint https_endpoint() const { return https_->local_endpoint(); }
    boost::asio::ip::tcp::endpoint admin_endpoint() const { return admin_->local_endpoint(); }
    Metrics& metrics() { return metrics_; }

    void start();           // serve on the thread pool
    bool reload();          // SIGHUP: a bad file keeps the old snapshot; audited either way
    void stop();            // SIGTERM: drain within the drain timeout, commit what is queued, join
    void wait();            // blocks until stop() has finished (signals call stop())
    void handle_signals();  // SIGTERM/SIGINT -> stop, SIGHUP -> reload

private:
    void audit_system_event(const std::string& action, bool allowed, std::map<std::string, std::string> attributes);

    Config config_;
    Metrics metrics_;
    SnapshotHolder snapshots_;
    std::unique_ptr<RecordStore> store_;
    boost::asio::io_context ioc_;
    // Request handling (parsing, checks, policy, store reads) runs here, never on ioc_'s threads:
    // a costly body cannot hold up handshakes, other requests or the admin listener.
    std::unique_ptr<boost::asio::thread_pool> work_;
    std::unique_ptr<boost::asio::thread_pool> heavy_;  // bodies above 64 KiB: a lane of their own
    TlsHolder tls_;
    std::unique_ptr<Api> api_;
    std::unique_ptr<Witnesses> witnesses_;  // after api_: it signs the checkpoints they cosign
    std::unique_ptr<HttpsServer> https_;
    std::unique_ptr<AdminServer> admin_;
    std::vector<std::thread> threads_;
    std::mutex stop_mu_;
    std::condition_variable stopped_cv_;
    bool stopping_ = false, stopped_ = false;
    std::thread stopper_;
    std::thread purger_;  // housekeeping(): store probes, signed heads, retention purge
    void housekeeping();
    std::unique_ptr<boost::asio::signal_set> hup_;
    void wait_for_hup();
};

}  // namespace dg
