#pragma once
// Plain-HTTP admin listener for operators (loopback by default): /healthz, /readyz, /metrics.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <functional>

namespace dg {

using AdminHandler = std::function<boost::beast::http::response<boost::beast::http::string_body>(
    const boost::beast::http::request<boost::beast::http::string_body>&)>;

class AdminServer {
public:
    AdminServer(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& at, AdminHandler handler);
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    void stop();

private:
    void do_accept();
    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    AdminHandler handler_;
};

}  // namespace dg
