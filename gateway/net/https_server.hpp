#pragma once
// The HTTPS listener and its sessions. Sessions only move bytes: they complete the mutual TLS
// handshake, read one request at a time within the limits, hand it to the Api and write the answer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
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
    std::chrono::milliseconds read_timeout{30000};  // one whole request, and one write
    std::chrono::milliseconds idle_timeout{60000};  // between requests on a keep-alive connection
    std::size_t max_connections = 2048;
    std::size_t max_connections_per_client = 256;  // per remote address (behind a load balancer: raise it)
    // Bodies above large_body_bytes are read only while fewer than max_large_bodies are in
    // progress; beyond that the request is refused (503, Retry-After) before its body is read,
    // which bounds the memory that bodies can take.
    std::size_t large_body_bytes = 1 << 20;
    std::size_t max_large_bodies = 4;
    std::size_t max_large_bodies_per_party = 2;  // one party cannot take every slot
    // Connections whose TLS handshake has not finished (not identified yet): at most this many
    // per address (more are refused) and in total (the oldest makes room for a new one).
    std::size_t max_handshakes_per_client = 32;
    std::size_t max_handshakes = 256;
};

class HttpsSession;

class HttpsServer {
public:
    HttpsServer(boost::asio::io_context& ioc, TlsHolder& tls, const boost::asio::ip::tcp::endpoint& at, ServerLimits limits, Api& api,
                Metrics& metrics);
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
    // The budget of connections not yet identified (see the .cpp); handshake_over() may be called
    // more than once.
    struct Handshake {
        const HttpsSession* session;
        std::weak_ptr<HttpsSession> weak;
        boost::asio::ip::address client;
    };
    bool handshake_begins(const std::shared_ptr<HttpsSession>& session);
    void handshake_over(const HttpsSession* session);
    void forget_handshake(std::list<Handshake>::iterator it);
    // Large-body slots: in total and per party.
    bool take_large_body(const std::string& oin);
    void release_large_body(const std::string& oin);

    boost::asio::io_context& ioc_;
    TlsHolder& tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    ServerLimits limits_;
    Api& api_;
    Metrics& metrics_;
    std::atomic<bool> draining_{false};
    std::atomic<std::int64_t> open_{0};
    std::function<bool(const std::string&)> registered_;  // is this OIN in the party registry
    std::mutex large_mu_;
    std::size_t large_bodies_ = 0;
    std::map<std::string, std::size_t> large_per_party_;
    std::mutex handshakes_mu_;
    std::list<Handshake> handshakes_;  // oldest first
    std::map<boost::asio::ip::address, std::size_t> handshakes_per_client_;
    std::mutex clients_mu_;
    std::map<boost::asio::ip::address, std::size_t> clients_;
    std::mutex sessions_mu_;
    std::vector<std::weak_ptr<HttpsSession>> sessions_;
};

}  // namespace dg
