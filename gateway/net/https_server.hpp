#pragma once
// The HTTPS listener and its sessions. Sessions only move bytes: they complete the mutual TLS
// handshake, read one request at a time within the limits, hand it to the Api and write the answer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "api/api.hpp"
#include "core/metrics.hpp"

namespace dg {

struct ServerLimits {
    std::size_t header_bytes = 16 * 1024;
    std::size_t body_bytes = 64 * 1024 * 1024;
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds read_timeout{30000};   // one whole request, and one write
    std::chrono::milliseconds idle_timeout{60000};   // between requests on a keep-alive connection
    std::size_t max_connections = 2048;
};

class HttpsSession;

class HttpsServer {
public:
    HttpsServer(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, const boost::asio::ip::tcp::endpoint& at,
                ServerLimits limits, Api& api, Metrics& metrics);
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    // Stop accepting, close idle connections, let requests in flight finish (drain).
    void drain();
    std::int64_t open_connections() const { return open_.load(); }

private:
    friend class HttpsSession;
    void do_accept();

    boost::asio::io_context& ioc_;
    boost::asio::ssl::context& tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    ServerLimits limits_;
    Api& api_;
    Metrics& metrics_;
    std::atomic<bool> draining_{false};
    std::atomic<std::int64_t> open_{0};
    std::mutex sessions_mu_;
    std::vector<std::weak_ptr<HttpsSession>> sessions_;
};

}  // namespace dg
