#pragma once
// Process metrics in Prometheus text format. Counters keyed by label sets; cheap enough for the
// request path (one short mutex hold per request).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace dg {

class Metrics {
public:
    void request(const std::string& route, int status, double seconds);
    void records(const std::string& berichttype, const std::string& outcome, std::uint64_t n);
    void tls_handshake_failure() { tls_failures_.fetch_add(1, std::memory_order_relaxed); }
    void store_error() { store_errors_.fetch_add(1, std::memory_order_relaxed); }
    void internal_error() { internal_errors_.fetch_add(1, std::memory_order_relaxed); }
    void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
    void connection_refused() { connections_refused_.fetch_add(1, std::memory_order_relaxed); }
    void busy_refusal() { busy_refusals_.fetch_add(1, std::memory_order_relaxed); }
    void rate_limited() { rate_limited_.fetch_add(1, std::memory_order_relaxed); }
    void audit_appended(std::uint64_t n) { audit_entries_.fetch_add(n, std::memory_order_relaxed); }
    void set_audit_size(std::uint64_t n) { audit_entries_.store(n, std::memory_order_relaxed); }
    void set_crl_next_update(std::int64_t unix_seconds) { crl_next_update_.store(unix_seconds, std::memory_order_relaxed); }
    std::int64_t crl_next_update() const { return crl_next_update_.load(); }
    void set_store_ready(bool ready) { store_ready_.store(ready ? 1 : 0, std::memory_order_relaxed); }
    // A witness of the audit log: the size it cosigned last, how far that is behind the log, and
    // whether the last submission to it failed.
    void witness(const std::string& name, std::uint64_t cosigned_size, std::uint64_t log_size, bool failed);
    void reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }

    std::uint64_t tls_handshake_failures() const { return tls_failures_.load(); }
    std::int64_t active_connections() const { return connections_.load(); }
    std::uint64_t audit_size() const { return audit_entries_.load(); }
    void set_audit_removed(std::uint64_t n) { audit_removed_.store(n, std::memory_order_relaxed); }

    std::string prometheus() const;

private:
    static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mu_;
    std::map<std::pair<std::string, int>, std::uint64_t> requests_;
    std::map<std::string, Histogram> latency_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> records_;
    struct WitnessState {
        std::uint64_t cosigned = 0, behind = 0, failures = 0;
    };
    std::map<std::string, WitnessState> witnesses_;
    std::atomic<std::uint64_t> tls_failures_{0}, store_errors_{0}, internal_errors_{0}, connections_refused_{0}, audit_entries_{0}, audit_removed_{0};
    std::atomic<std::uint64_t> reloads_ok_{0}, reloads_failed_{0};
    std::atomic<std::uint64_t> busy_refusals_{0}, rate_limited_{0};
    std::atomic<std::int64_t> connections_{0};
    std::atomic<int> store_ready_{1};
    std::atomic<std::int64_t> crl_next_update_{0};  // 0: no CRL configured
};

}  // namespace dg
