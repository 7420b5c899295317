#pragma once
// The HTTPS listener and its sessions. Sessions only move bytes: they complete the mutual TLS
// handshake, read one request at a time within the limits, hand it to the Api and write the answer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "api/api.hpp"
#include "core/metrics.hpp"
#include "net/tls.hpp"

namespace dg {

struct ServerLimits {
    std::size_t header_bytes = 16 * 1024;
    std::size_t body_bytes = 64 * 1024 * 1024;
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds read_timeout{30000};   // one whole request, and one write
    std::chrono::milliseconds idle_timeout{60000};   // between requests on a keep-alive connection
    std::size_t max_connections = 2048;
    std::size_t max_connections_per_client = 256;  // per remote address (behind a load balancer: raise it)
    // Bodies above large_body_bytes are read only while fewer than max_large_bodies are in
    // progress; beyond that the request is refused (503, Retry-After) before its body is read,
    // which bounds the memory that bodies can take.
    std::size_t large_body_bytes = 1 << 20;
    std::size_t max_large_bodies = 4;
};

class HttpsSession;

class HttpsServer {
public:
    HttpsServer(boost::asio::io_context& ioc, TlsHolder& tls, const boost::asio::ip::tcp::endpoint& at, ServerLimits limits,
                Api& api, Metrics& metrics);
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    // Stop accepting, close idle connections, let requests in flight finish (drain).
    void drain();
    // After the drain timeout: every connection still open is closed, requests in progress too.
    void abort_all();
    std::int64_t open_connections() const { return open_.load(); }

private:
    friend class HttpsSession;
    void do_accept();

    // Connections per remote address; released by the session.
    bool admit(const boost::asio::ip::address& client);
    void release(const boost::asio::ip::address& client);

    boost::asio::io_context& ioc_;
    TlsHolder& tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    ServerLimits limits_;
    Api& api_;
    Metrics& metrics_;
    std::atomic<bool> draining_{false};
    std::atomic<std::int64_t> open_{0};
    std::atomic<std::size_t> large_bodies_{0};
    std::mutex clients_mu_;
    std::map<boost::asio::ip::address, std::size_t> clients_;
    std::mutex sessions_mu_;
    std::vector<std::weak_ptr<HttpsSession>> sessions_;
};

}  // namespace dg
