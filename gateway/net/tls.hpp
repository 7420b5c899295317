#pragma once
// The server's TLS configuration: mutual TLS required, TLS 1.2 minimum (1.3 preferred),
// AEAD ciphers with forward secrecy only, client certificates for client authentication only.
#include <boost/asio/ssl/context.hpp>

#include <filesystem>

namespace dg {

struct TlsFiles {
    std::filesystem::path certificate, private_key, client_ca;
};

// Throws std::runtime_error naming the file that could not be used.
boost::asio::ssl::context make_server_tls_context(const TlsFiles& files);

}  // namespace dg
