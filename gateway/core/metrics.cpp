#include "core/metrics.hpp"

#include <openssl/crypto.h>
#include <unistd.h>
#include <cmath>

#include <boost/version.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#ifndef DG_VERSION
#define DG_VERSION "unknown"
#endif

namespace dg {
namespace {

// The usual process_* figures of Prometheus' client libraries, from /proc (Linux).
void process_metrics(std::ostream& out) {
    const long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    std::ifstream stat_file("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) in "pid (comm) state ...".
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (f.size() < 22 || ticks <= 0) return;
    const double cpu = (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(ticks);  // utime + stime
    const double start_ticks = std::stod(f[19]);
    const double vsize = std::stod(f[20]), rss = std::stod(f[21]) * static_cast<double>(page);
    double boot = 0;
    std::ifstream proc_stat("/proc/stat");
    for (std::string line; std::getline(proc_stat, line);)
        if (line.rfind("btime ", 0) == 0) boot = std::stod(line.substr(6));
    std::size_t fds = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++fds;
    double max_fds = 0;
    std::ifstream limits("/proc/self/limits");
    for (std::string line; std::getline(limits, line);)
        if (line.rfind("Max open files", 0) == 0) {
            std::istringstream l(line.substr(14));
            l >> max_fds;
        }
    out << std::fixed;
    out.precision(2);
    out << "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\n"
        << "process_cpu_seconds_total " << cpu << "\n";
    out.precision(0);
    out << "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
           "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds "
        // Floored, not rounded: a start time half a second in the future is not one.
        << std::floor(boot + start_ticks / static_cast<double>(ticks)) << "\n"
        << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\n"
        << "process_resident_memory_bytes " << rss << "\n"
        << "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n# TYPE process_virtual_memory_bytes gauge\n"
        << "process_virtual_memory_bytes " << vsize << "\n"
        << "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds " << fds << "\n"
        << "# HELP process_max_fds Maximum number of open file descriptors.\n# TYPE process_max_fds gauge\nprocess_max_fds " << max_fds << "\n";
    out.unsetf(std::ios::floatfield);
    out.precision(6);
}

}  // namespace

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
    for (const auto& [k, v] : requests_) out << "dg_requests_total{route=\"" << k.first << "\",status=\"" << k.second << "\"} " << v << "\n";
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
    for (const auto& [k, v] : records_) out << "dg_records_total{berichttype=\"" << k.first << "\",outcome=\"" << k.second << "\"} " << v << "\n";
    out << "# HELP dg_tls_handshake_failures_total Connections refused during the TLS handshake.\n"
           "# TYPE dg_tls_handshake_failures_total counter\ndg_tls_handshake_failures_total "
        << tls_failures_.load() << "\n";
    out << "# HELP dg_store_errors_total Failed store commits and reads.\n# TYPE dg_store_errors_total counter\ndg_store_errors_total "
        << store_errors_.load() << "\n";
    out << "# HELP dg_internal_errors_total Requests answered 500: an exception other than the store's (a bug; logged).\n"
           "# TYPE dg_internal_errors_total counter\ndg_internal_errors_total "
        << internal_errors_.load() << "\n";
    out << "# HELP dg_busy_refusals_total Requests refused with 503 because the server was at a limit (large bodies, write queue).\n"
           "# TYPE dg_busy_refusals_total counter\ndg_busy_refusals_total "
        << busy_refusals_.load() << "\n";
    out << "# HELP dg_rate_limited_total Requests refused with 429 because the party was over its rate.\n"
           "# TYPE dg_rate_limited_total counter\ndg_rate_limited_total "
        << rate_limited_.load() << "\n";
    {  // under mu_, held since the top
        if (!witnesses_.empty()) {
            out << "# HELP dg_witness_cosigned_size The audit log size a witness cosigned last.\n# TYPE dg_witness_cosigned_size gauge\n";
            for (const auto& [name, w] : witnesses_) out << "dg_witness_cosigned_size{witness=\"" << name << "\"} " << w.cosigned << "\n";
            out << "# HELP dg_witness_behind_entries Audit entries the newest checkpoint a witness cosigned is behind the log.\n"
                   "# TYPE dg_witness_behind_entries gauge\n";
            for (const auto& [name, w] : witnesses_) out << "dg_witness_behind_entries{witness=\"" << name << "\"} " << w.behind << "\n";
            out << "# HELP dg_witness_failures_total Checkpoint submissions to a witness that failed.\n# TYPE dg_witness_failures_total counter\n";
            for (const auto& [name, w] : witnesses_) out << "dg_witness_failures_total{witness=\"" << name << "\"} " << w.failures << "\n";
        }
    }
    if (crl_next_update_.load() != 0)
        out << "# HELP dg_tls_crl_next_update_timestamp_seconds When the client CRL in force passes its nextUpdate "
               "(after that every client is refused).\n# TYPE dg_tls_crl_next_update_timestamp_seconds gauge\n"
               "dg_tls_crl_next_update_timestamp_seconds "
            << crl_next_update_.load() << "\n";
    out << "# HELP dg_store_ready 1 while the store (and audit log) accepts writes.\n# TYPE dg_store_ready gauge\ndg_store_ready "
        << store_ready_.load() << "\n";
    out << "# HELP dg_connections_active Open client connections.\n# TYPE dg_connections_active gauge\ndg_connections_active " << connections_.load()
        << "\n";
    out << "# HELP dg_connections_refused_total Connections closed at the connection limit.\n"
           "# TYPE dg_connections_refused_total counter\ndg_connections_refused_total "
        << connections_refused_.load() << "\n";
    out << "# HELP dg_audit_entries Audit entries in the log.\n# TYPE dg_audit_entries gauge\ndg_audit_entries " << audit_entries_.load() << "\n";
    out << "# HELP dg_audit_removed_entries Audit entries removed at the end of their retention (the log begins at this index).\n"
           "# TYPE dg_audit_removed_entries gauge\ndg_audit_removed_entries "
        << audit_removed_.load() << "\n";
    out << "# HELP dg_build_info The gateway's version and the libraries it was built with (always 1).\n# TYPE dg_build_info gauge\n"
        << "dg_build_info{version=\"" << DG_VERSION << "\",openssl=\"" << OpenSSL_version(OPENSSL_VERSION_STRING) << "\",boost=\""
        << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "." << BOOST_VERSION % 100 << "\"} 1\n";
    process_metrics(out);
    out << "# HELP dg_reloads_total Configuration reloads (SIGHUP) by result.\n# TYPE dg_reloads_total counter\n"
        << "dg_reloads_total{result=\"ok\"} " << reloads_ok_.load() << "\n"
        << "dg_reloads_total{result=\"failed\"} " << reloads_failed_.load() << "\n";
    return out.str();
}

}  // namespace dg

namespace dg {

void Metrics::witness(const std::string& name, std::uint64_t cosigned_size, std::uint64_t log_size, bool failed) {
    std::lock_guard lock(mu_);
    auto& w = witnesses_[name];
    w.cosigned = cosigned_size;
    w.behind = log_size > cosigned_size ? log_size - cosigned_size : 0;
    if (failed) ++w.failures;
}

}  // namespace dg
