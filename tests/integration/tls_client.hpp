#pragma once
// A small blocking HTTPS client for tests: mutual TLS with a dev party's certificate.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace dg::test {

struct HttpReply {
    bool handshake_ok = false;
    bool answered = false;  // an HTTP response arrived
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    std::string error;
};

class TlsClient {
public:
    // party: file stem in certs_dir ("school-12AB"), or "" for no client certificate.
    // tune: changes the client's SSL_CTX before connecting (protocol versions, cipher suites).
    TlsClient(unsigned short port, const std::string& party, const std::filesystem::path& certs_dir, const std::function<void(SSL_CTX*)>& tune = {});
    ~TlsClient();
    bool connect();  // TCP connect and TLS handshake
    HttpReply request(boost::beast::http::verb method, const std::string& target, const std::string& body = {},
                      const std::string& content_type = "application/json", const std::map<std::string, std::string>& headers = {});
    // For requests built by hand (slowly, in pieces): raw bytes, then one reply.
    bool send_raw(std::string_view bytes);
    HttpReply read_reply();
    bool handshake_ok() const { return handshake_ok_; }
    // The serial number (hex) of the certificate the server presented.
    std::string server_certificate_serial() const;
    const std::string& error() const { return error_; }

private:
    unsigned short port_;
    boost::asio::io_context ioc_;
    boost::asio::ssl::context ctx_;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
    boost::beast::flat_buffer buffer_;
    bool handshake_ok_ = false;
    std::string error_;
};

// Connect, send one request, close.
HttpReply https_request(unsigned short port, const std::string& party, boost::beast::http::verb method, const std::string& target,
                        const std::string& body = {}, const std::string& content_type = "application/json");

std::filesystem::path dev_certs_dir();

}  // namespace dg::test
