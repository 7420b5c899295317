#include "tls_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdlib>

#include "test_support.hpp"

namespace dg::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::filesystem::path dev_certs_dir() {
    const auto dir = source_dir() / "certs/dev";
    if (!std::filesystem::exists(dir / "rbl-amsterdam.crt") || !std::filesystem::exists(dir / "crl.pem")) {
        const std::string cmd = (source_dir() / "certs/make-dev-certs").string() + " >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("make-dev-certs failed");
    }
    return dir;
}

TlsClient::TlsClient(unsigned short port, const std::string& party, const std::filesystem::path& certs_dir, const std::function<void(SSL_CTX*)>& tune)
    : port_(port), ctx_(net::ssl::context::tls_client) {
    if (tune) tune(ctx_.native_handle());
    ctx_.load_verify_file((certs_dir / "ca.pem").string());
    ctx_.set_verify_mode(net::ssl::verify_peer);
    if (!party.empty()) {
        ctx_.use_certificate_file((certs_dir / (party + ".crt")).string(), net::ssl::context::pem);
        ctx_.use_private_key_file((certs_dir / (party + ".key")).string(), net::ssl::context::pem);
    }
}

TlsClient::~TlsClient() {
    if (stream_) {
        beast::error_code ec;
        beast::get_lowest_layer(*stream_).socket().close(ec);
    }
}

bool TlsClient::connect() {
    stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ctx_);
    beast::error_code ec;
    auto& sock = beast::get_lowest_layer(*stream_).socket();
    sock.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    if (ec) {
        error_ = "connect: " + ec.message();
        return false;
    }
    // Blocking reads must not hang a test: 10 s at most.
    timeval tv{10, 0};
    setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
    stream_->handshake(net::ssl::stream_base::client, ec);
    if (ec) {
        error_ = "handshake: " + ec.message();
        return false;
    }
    handshake_ok_ = true;
    return true;
}

HttpReply TlsClient::request(http::verb method, const std::string& target, const std::string& body, const std::string& content_type,
                             const std::map<std::string, std::string>& headers) {
    HttpReply reply;
    reply.handshake_ok = handshake_ok_;
    if (!stream_ || !handshake_ok_) {
        reply.error = error_;
        return reply;
    }
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    if (!body.empty() || method == http::verb::post) {
        req.set(http::field::content_type, content_type);
        req.body() = body;
    }
    for (const auto& [k, v] : headers) req.set(k, v);
    req.keep_alive(true);
    req.prepare_payload();
    beast::error_code ec;
    http::write(*stream_, req, ec);
    if (ec) {
        reply.error = "write: " + ec.message();
        return reply;
    }
    return read_reply();
}

std::string TlsClient::server_certificate_serial() const {
    if (!stream_) return {};
    X509* cert = SSL_get1_peer_certificate(stream_->native_handle());
    if (!cert) return {};
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string serial = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
    X509_free(cert);
    return serial;
}

bool TlsClient::send_raw(std::string_view bytes) {
    if (!stream_ || !handshake_ok_) return false;
    beast::error_code ec;
    net::write(*stream_, net::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
}

HttpReply TlsClient::read_reply() {
    HttpReply reply;
    reply.handshake_ok = handshake_ok_;
    beast::error_code ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    http::read(*stream_, buffer_, parser, ec);
    if (ec) {
        reply.error = "read: " + ec.message();
        return reply;
    }
    auto res = parser.release();
    reply.answered = true;
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    for (const auto& f : res) reply.headers[std::string(f.name_string())] = std::string(f.value());
    return reply;
}

HttpReply https_request(unsigned short port, const std::string& party, http::verb method, const std::string& target, const std::string& body,
                        const std::string& content_type) {
    TlsClient c(port, party, dev_certs_dir());
    if (!c.connect()) {
        HttpReply r;
        r.error = c.error();
        return r;
    }
    return c.request(method, target, body, content_type);
}

}  // namespace dg::test
