#include "net/admin_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <memory>
#include <optional>

namespace dg {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

class AdminSession : public std::enable_shared_from_this<AdminSession> {
public:
    AdminSession(tcp::socket&& s, const AdminHandler& h, std::size_t body_limit) : stream_(std::move(s)), handler_(h), body_limit_(body_limit) {}
    void run() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
    }

private:
    void do_read() {
        req_ = {};
        parser_.emplace();
        parser_->header_limit(8192);
        parser_->body_limit(body_limit_);
        stream_.expires_after(std::chrono::seconds(10));
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->close();
            self->req_ = self->parser_->release();
            auto res = std::make_shared<http::response<http::string_body>>(self->handler_(self->req_));
            res->keep_alive(self->req_.keep_alive());
            http::async_write(self->stream_, *res, [self, res](beast::error_code ec, std::size_t) {
                if (ec || !res->keep_alive()) return self->close();
                self->do_read();
            });
        });
    }
    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    const AdminHandler& handler_;
    std::size_t body_limit_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::request<http::string_body> req_;
};

}  // namespace

AdminServer::AdminServer(net::io_context& ioc, const tcp::endpoint& at, AdminHandler handler, std::size_t body_limit)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), handler_(std::move(handler)), body_limit_(body_limit) {
    acceptor_.open(at.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
}

tcp::endpoint AdminServer::local_endpoint() const { return acceptor_.local_endpoint(); }

void AdminServer::start() {
    net::dispatch(acceptor_.get_executor(), [this] { do_accept(); });
}

void AdminServer::stop() {
    net::post(acceptor_.get_executor(), [this] {
        beast::error_code ignored;
        acceptor_.close(ignored);
    });
}

void AdminServer::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) std::make_shared<AdminSession>(std::move(socket), handler_, body_limit_)->run();
        do_accept();
    });
}

}  // namespace dg
