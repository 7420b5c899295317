#include "core/metrics.hpp"

#include <sstream>

namespace dg {

void Metrics::request(const std::string& route, int status, double seconds) {
    std::lock_guard lock(mu_);
    ++requests_[{route, status}];
    auto& h = latency_[route];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
}

void Metrics::records(const std::string& berichttype, const std::string& outcome, std::uint64_t n) {
    if (n == 0) return;
    std::lock_guard lock(mu_);
    records_[{berichttype, outcome}] += n;
}

std::string Metrics::prometheus() const {
    std::ostringstream out;
    std::lock_guard lock(mu_);
    out << "# HELP dg_requests_total HTTPS requests by route and status.\n# TYPE dg_requests_total counter\n";
    for (const auto& [k, v] : requests_)
        out << "dg_requests_total{route=\"" << k.first << "\",status=\"" << k.second << "\"} " << v << "\n";
    out << "# HELP dg_request_duration_seconds Time from full request to response ready.\n"
           "# TYPE dg_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i)
            out << "dg_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} " << h.buckets[i] << "\n";
        out << "dg_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n";
        out << "dg_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
        out << "dg_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
    }
    out << "# HELP dg_records_total Records by berichttype and outcome.\n# TYPE dg_records_total counter\n";
    for (const auto& [k, v] : records_)
        out << "dg_records_total{berichttype=\"" << k.first << "\",outcome=\"" << k.second << "\"} " << v << "\n";
    out << "# HELP dg_tls_handshake_failures_total Connections refused during the TLS handshake.\n"
           "# TYPE dg_tls_handshake_failures_total counter\ndg_tls_handshake_failures_total " << tls_failures_.load() << "\n";
    out << "# HELP dg_store_errors_total Failed store commits.\n# TYPE dg_store_errors_total counter\ndg_store_errors_total "
        << store_errors_.load() << "\n";
    out << "# HELP dg_busy_refusals_total Requests refused with 503 because the server was at a limit (large bodies, write queue).\n"
           "# TYPE dg_busy_refusals_total counter\ndg_busy_refusals_total " << busy_refusals_.load() << "\n";
    out << "# HELP dg_rate_limited_total Requests refused with 429 because the party was over its rate.\n"
           "# TYPE dg_rate_limited_total counter\ndg_rate_limited_total " << rate_limited_.load() << "\n";
    if (crl_next_update_.load() != 0)
        out << "# HELP dg_tls_crl_next_update_timestamp_seconds When the client CRL in force passes its nextUpdate "
               "(after that every client is refused).\n# TYPE dg_tls_crl_next_update_timestamp_seconds gauge\n"
               "dg_tls_crl_next_update_timestamp_seconds " << crl_next_update_.load() << "\n";
    out << "# HELP dg_store_ready 1 while the store (and audit log) accepts writes.\n# TYPE dg_store_ready gauge\ndg_store_ready "
        << store_ready_.load() << "\n";
    out << "# HELP dg_connections_active Open client connections.\n# TYPE dg_connections_active gauge\ndg_connections_active "
        << connections_.load() << "\n";
    out << "# HELP dg_connections_refused_total Connections closed at the connection limit.\n"
           "# TYPE dg_connections_refused_total counter\ndg_connections_refused_total " << connections_refused_.load() << "\n";
    out << "# HELP dg_audit_entries Audit entries in the log.\n# TYPE dg_audit_entries gauge\ndg_audit_entries "
        << audit_entries_.load() << "\n";
    out << "# HELP dg_reloads_total Configuration reloads (SIGHUP) by result.\n# TYPE dg_reloads_total counter\n"
        << "dg_reloads_total{result=\"ok\"} " << reloads_ok_.load() << "\n"
        << "dg_reloads_total{result=\"failed\"} " << reloads_failed_.load() << "\n";
    return out.str();
}

}  // namespace dg
