#include "net/https_server.hpp"
#include "core/problem.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <optional>

#include "core/log.hpp"
#include "identity/certificate.hpp"
#include "net/http_framing.hpp"

namespace dg {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

class HttpsSession : public std::enable_shared_from_this<HttpsSession> {
public:
    HttpsSession(tcp::socket&& socket, HttpsServer& server, net::ip::address client)
        : tls_(server.tls_.get()), stream_(std::move(socket), *tls_), server_(server), client_(client) {
        ++server_.open_;
        server_.metrics_.connection_opened();
    }
    ~HttpsSession() {
        release_large_body();
        server_.handshake_over(this);
        server_.release(client_);
        --server_.open_;
        server_.metrics_.connection_closed();
    }

    void run() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_handshake(); });
    }

    // From the server on drain: an idle keep-alive connection is closed now; one with a request
    // in progress closes after its answer. abort(): closed now, whatever it is doing.
    void drain() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->state_ == State::Idle && self->buffer_.size() == 0) self->close_now();
        });
    }
    void abort() {
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
    }
    const net::ip::address& client() const { return client_; }

private:
    enum class State { Handshake, Idle, Reading, Handling, Writing, Closing };

    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void do_handshake() {
        lowest().expires_after(server_.limits_.handshake_timeout);
        stream_.async_handshake(net::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    }

    void on_handshake(beast::error_code ec) {
        server_.handshake_over(this);  // out of the budget of connections not yet identified
        if (ec) {
            server_.metrics_.tls_handshake_failure();
            return close_now();
        }
        // Verified by OpenSSL against the client CA; read the identity once per connection.
        if (X509* cert = SSL_get1_peer_certificate(stream_.native_handle())) {
            caller_.oin = oin_from_certificate(cert).value_or("");
            caller_.fingerprint = certificate_fingerprint(cert);
            X509_free(cert);
        }
        do_read();
    }

    // Between requests a keep-alive connection waits up to the idle timeout for the next one to
    // begin; from its first byte on, the whole request (header and body) has the read timeout.
    void do_read() {
        if (server_.draining_) return do_shutdown();
        state_ = State::Idle;
        if (first_ || buffer_.size() > 0) {
            first_ = false;
            return read_request();
        }
        lowest().expires_after(server_.limits_.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->buffer_.commit(n);
            if (ec) return ec == net::error::eof || ec == net::ssl::error::stream_truncated ? self->do_shutdown() : self->close_now();
            self->read_request();
        });
    }

    void read_request() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.header_bytes));
        parser_->body_limit(server_.limits_.body_bytes);
        lowest().expires_after(server_.limits_.read_timeout);
        http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec == http::error::header_limit) return refuse(431, problem_code::kMessageTooLarge, "request header too large");
        if (ec == http::error::body_limit)  // the parser checks Content-Length against the limit
            return refuse(413, problem_code::kMessageTooLarge,
                          "body larger than the limit of " + std::to_string(server_.limits_.body_bytes) + " bytes");
        if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() && ec != http::error::end_of_stream &&
            ec != http::error::partial_message)
            return refuse(400, problem_code::kMessageMalformed, "the request is not well-formed HTTP/1.1 (" + ec.message() + ")");
        if (ec) return ec == http::error::end_of_stream ? do_shutdown() : close_now();
        state_ = State::Reading;
        if (auto bad = framing_fault(parser_->get())) return refuse(400, problem_code::kMessageMalformed, *bad);
        // A large body is read only for a registered party, while a slot is free and the party
        // holds no more than its share: bodies in memory stay bounded, and strangers hold none.
        const auto length = parser_->content_length();
        if ((length && *length > server_.limits_.large_body_bytes) || (!length && parser_->chunked())) {
            if (!server_.registered_(caller_.oin))
                return refuse(403, problem_code::kSenderUnknown, "the certificate's OIN is not in the party registry");
            if (!server_.take_large_body(caller_.oin)) {
                server_.metrics_.busy_refusal();
                return refuse(503, problem_code::kServerBusy, "too many large messages are being received; retry in a few seconds");
            }
            holds_large_body_ = true;
        }
        const auto& head = parser_->get();
        if (beast::iequals(head[http::field::expect], "100-continue")) {
            auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
            return http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
                if (ec) return self->close_now();
                self->read_body();
            });
        }
        read_body();
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit)
            return refuse(413, problem_code::kMessageTooLarge,
                          "body larger than the limit of " + std::to_string(server_.limits_.body_bytes) + " bytes");
        if (ec && ec.category() == http::make_error_code(http::error::bad_method).category() && ec != http::error::partial_message)
            return refuse(400, problem_code::kMessageMalformed, "the request body is not well-formed HTTP/1.1 framing (" + ec.message() + ")");
        if (ec) return close_now();
        state_ = State::Handling;
        lowest().expires_never();
        auto req = std::make_shared<const Request>(parser_->release());
        keep_alive_ = req->keep_alive();
        server_.api_.handle(std::move(req), caller_, replier());
    }

    // Refusals found while reading (size limits) are still answered and audited; then the
    // connection closes, since the rest of the request was not read.
    void refuse(int status, std::string code, std::string detail) {
        state_ = State::Handling;
        keep_alive_ = false;
        unread_body_ = true;  // what follows in the stream is not read: close gently after the answer
        lowest().expires_never();
        Request head;
        head.base() = parser_->get().base();
        server_.api_.refuse(head, caller_, status, {std::move(code), "", std::move(detail), {}}, replier());
    }

    Reply replier() {
        return [self = shared_from_this()](Response&& res) {
            net::post(self->stream_.get_executor(), [self, res = std::make_shared<Response>(std::move(res))] { self->do_write(res); });
        };
    }

    void do_write(std::shared_ptr<Response> res) {
        state_ = State::Writing;
        const bool keep = keep_alive_ && !server_.draining_;
        res->keep_alive(keep);
        lowest().expires_after(server_.limits_.read_timeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
            self->release_large_body();
            if (ec) return self->close_now();
            if (self->unread_body_) return self->linger_close();
            if (!keep) return self->do_shutdown();
            self->do_read();
        });
    }

    void do_shutdown() {
        if (state_ == State::Closing) return;
        state_ = State::Closing;
        lowest().expires_after(std::chrono::seconds(2));
        stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_now(); });
    }

    // The answer went out before the request was read to its end. Closing now would reset the
    // connection and could destroy the answer in flight; read and discard for a bounded while.
    void linger_close() {
        state_ = State::Closing;
        lowest().expires_after(std::chrono::seconds(2));
        scratch_ = std::make_unique<char[]>(kScratch);
        do_discard(0);
    }

    void do_discard(std::size_t total) {
        stream_.async_read_some(net::buffer(scratch_.get(), kScratch), [self = shared_from_this(), total](beast::error_code ec, std::size_t n) {
            if (ec || total + n > kMaxDiscard) return self->close_now();
            self->do_discard(total + n);
        });
    }

    void release_large_body() {
        if (holds_large_body_) server_.release_large_body(caller_.oin);
        holds_large_body_ = false;
    }

    void close_now() {
        state_ = State::Closing;
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    std::shared_ptr<net::ssl::context> tls_;  // the context this connection started with (SIGHUP may replace the server's)
    beast::ssl_stream<beast::tcp_stream> stream_;
    HttpsServer& server_;
    net::ip::address client_;
    bool holds_large_body_ = false;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Caller caller_;
    State state_ = State::Handshake;
    bool first_ = true;
    bool keep_alive_ = true;
    bool unread_body_ = false;
    static constexpr std::size_t kScratch = 16 * 1024;
    static constexpr std::size_t kMaxDiscard = 16 * 1024 * 1024;
    std::unique_ptr<char[]> scratch_;
};

HttpsServer::HttpsServer(net::io_context& ioc, TlsHolder& tls, const tcp::endpoint& at, ServerLimits limits, Api& api, Metrics& metrics)
    : ioc_(ioc),
      tls_(tls),
      acceptor_(net::make_strand(ioc)),
      limits_(limits),
      api_(api),
      metrics_(metrics),
      registered_([&api](const std::string& oin) { return api.registered(oin); }) {
    acceptor_.open(at.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

tcp::endpoint HttpsServer::local_endpoint() const { return acceptor_.local_endpoint(); }

void HttpsServer::start() {
    net::dispatch(acceptor_.get_executor(), [this] { do_accept(); });
}

void HttpsServer::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            beast::error_code peer_ec;
            const auto client = socket.remote_endpoint(peer_ec).address();
            if (peer_ec || static_cast<std::size_t>(open_.load()) >= limits_.max_connections || !admit(client)) {
                metrics_.connection_refused();
                beast::error_code ignored;
                socket.close(ignored);
            } else {
                socket.set_option(tcp::no_delay(true), ec);
                auto session = std::make_shared<HttpsSession>(std::move(socket), *this, client);
                {
                    std::lock_guard lock(sessions_mu_);
                    std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
                    sessions_.push_back(session);
                }
                if (handshake_begins(session)) session->run();
                else metrics_.connection_refused();  // too many unidentified connections from this address
            }
        }
        do_accept();
    });
}

// Connections that have not finished their TLS handshake (nobody knows who they are yet) have a
// budget of their own, per address and in total, so that strangers cannot take the slots of the
// parties: from one address no more than max_handshakes_per_client; in total, when the budget is
// full, the oldest unfinished handshake makes room for the new one.
bool HttpsServer::handshake_begins(const std::shared_ptr<HttpsSession>& session) {
    std::shared_ptr<HttpsSession> evicted;
    {
        std::lock_guard lock(handshakes_mu_);
        if (handshakes_per_client_[session->client()] >= limits_.max_handshakes_per_client) {
            if (handshakes_per_client_[session->client()] == 0) handshakes_per_client_.erase(session->client());
            return false;
        }
        if (handshakes_.size() >= limits_.max_handshakes) {
            evicted = handshakes_.front().weak.lock();
            forget_handshake(handshakes_.begin());
        }
        ++handshakes_per_client_[session->client()];
        handshakes_.push_back({session.get(), session, session->client()});
    }
    if (evicted) {
        metrics_.connection_refused();
        evicted->abort();
    }
    return true;
}

void HttpsServer::handshake_over(const HttpsSession* session) {
    std::lock_guard lock(handshakes_mu_);
    const auto it = std::find_if(handshakes_.begin(), handshakes_.end(), [&](const Handshake& h) { return h.session == session; });
    if (it != handshakes_.end()) forget_handshake(it);
}

void HttpsServer::forget_handshake(std::list<Handshake>::iterator it) {
    auto c = handshakes_per_client_.find(it->client);
    if (c != handshakes_per_client_.end() && --c->second == 0) handshakes_per_client_.erase(c);
    handshakes_.erase(it);
}

bool HttpsServer::take_large_body(const std::string& oin) {
    std::lock_guard lock(large_mu_);
    std::size_t& mine = large_per_party_[oin];
    if (large_bodies_ >= limits_.max_large_bodies || mine >= limits_.max_large_bodies_per_party) {
        if (mine == 0) large_per_party_.erase(oin);
        return false;
    }
    ++large_bodies_;
    ++mine;
    return true;
}

void HttpsServer::release_large_body(const std::string& oin) {
    std::lock_guard lock(large_mu_);
    --large_bodies_;
    if (auto it = large_per_party_.find(oin); it != large_per_party_.end() && --it->second == 0) large_per_party_.erase(it);
}

bool HttpsServer::admit(const net::ip::address& client) {
    std::lock_guard lock(clients_mu_);
    auto& n = clients_[client];
    if (n >= limits_.max_connections_per_client) {
        if (n == 0) clients_.erase(client);
        return false;
    }
    ++n;
    return true;
}

void HttpsServer::release(const net::ip::address& client) {
    std::lock_guard lock(clients_mu_);
    auto it = clients_.find(client);
    if (it != clients_.end() && --it->second == 0) clients_.erase(it);
}

void HttpsServer::abort_all() {
    std::lock_guard lock(sessions_mu_);
    for (auto& w : sessions_)
        if (auto s = w.lock()) s->abort();
}

void HttpsServer::drain() {
    draining_ = true;
    net::post(acceptor_.get_executor(), [this] {
        beast::error_code ignored;
        acceptor_.close(ignored);
    });
    std::lock_guard lock(sessions_mu_);
    for (auto& w : sessions_)
        if (auto s = w.lock()) s->drain();
}

}  // namespace dg
