#pragma once
// A plain-HTTP listener: the admin endpoints for operators (loopback by default: /healthz, /readyz,
// /metrics) and the witness's add-checkpoint.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <functional>

namespace dg {

using AdminHandler =
    std::function<boost::beast::http::response<boost::beast::http::string_body>(const boost::beast::http::request<boost::beast::http::string_body>&)>;

class AdminServer {
public:
    // Requests have bodies of at most `body_limit` bytes (the admin endpoints take none).
    AdminServer(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& at, AdminHandler handler, std::size_t body_limit = 4096);
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    void stop();

private:
    void do_accept();
    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    AdminHandler handler_;
    std::size_t body_limit_;
};

}  // namespace dg
