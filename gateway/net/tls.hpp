#pragma once
// The server's TLS configuration: mutual TLS required, TLS 1.2 minimum (1.3 preferred),
// AEAD ciphers with forward secrecy only, client certificates for client authentication only,
// checked against a CRL when one is configured. No session resumption.
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

namespace dg {

struct TlsFiles {
    std::filesystem::path certificate, private_key, client_ca;
    std::filesystem::path crl;  // optional: PEM with one or more CRLs of the client CA(s)
};

// Throws std::runtime_error naming the file that could not be used (an expired CRL included:
// it would refuse every client).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const TlsFiles& files);

// When the earliest CRL of the file passes its nextUpdate (seconds since the epoch); nullopt
// without CRLs. After that moment OpenSSL refuses every client, so operators watch it.
std::optional<std::int64_t> crl_next_update(const std::filesystem::path& file);

// The context new connections use; SIGHUP swaps it, connections already open keep theirs.
class TlsHolder {
public:
    explicit TlsHolder(std::shared_ptr<boost::asio::ssl::context> c) : current_(std::move(c)) {}
    std::shared_ptr<boost::asio::ssl::context> get() const {
        std::lock_guard lock(mu_);
        return current_;
    }
    void set(std::shared_ptr<boost::asio::ssl::context> c) {
        std::lock_guard lock(mu_);
        current_ = std::move(c);
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace dg
