#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace dg {

namespace ssl = boost::asio::ssl;

namespace {

// Loads every CRL of the file into the store and turns checking on for client certificates.
void load_crls(SSL_CTX* native, const std::filesystem::path& file) {
    X509_STORE* store = SSL_CTX_get_cert_store(native);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (!lookup || X509_load_crl_file(lookup, file.c_str(), X509_FILETYPE_PEM) < 1)
        throw std::runtime_error("TLS: cannot read a CRL from " + file.string());
    // A CRL past its nextUpdate makes OpenSSL refuse every client: say so at start, not at the first handshake.
    STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
        X509_CRL* crl = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objects, i));
        const ASN1_TIME* next = crl ? X509_CRL_get0_nextUpdate(crl) : nullptr;
        if (next && X509_cmp_current_time(next) < 0)
            throw std::runtime_error("TLS: the CRL in " + file.string() + " has expired (nextUpdate passed); publish a fresh one");
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
}

// OpenSSL's SSL_CLIENT purpose takes a certificate without any extendedKeyUsage as good for every
// purpose; a client certificate here must name clientAuth (PKIoverheid ones always do).
int verify_client(int preverified, X509_STORE_CTX* store) {
    if (preverified != 1 || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    const bool has_eku = cert && (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0;
    if (has_eku && (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) != 0) return 1;
    X509_STORE_CTX_set_error(store, X509_V_ERR_INVALID_PURPOSE);
    return 0;
}

}  // namespace

std::optional<std::int64_t> crl_next_update(const std::filesystem::path& file) {
    std::optional<std::int64_t> earliest;
    BIO* bio = BIO_new_file(file.c_str(), "r");
    if (!bio) return earliest;
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr)) {
        struct tm t {};
        if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl); next && ASN1_TIME_to_tm(next, &t) == 1) {
            const std::int64_t when = timegm(&t);
            if (!earliest || when < *earliest) earliest = when;
        }
        X509_CRL_free(crl);
    }
    ERR_clear_error();  // the end of the file reads as an error
    BIO_free(bio);
    return earliest;
}

std::shared_ptr<ssl::context> make_server_tls_context(const TlsFiles& files) {
    auto shared = std::make_shared<ssl::context>(ssl::context::tls_server);
    ssl::context& ctx = *shared;
    SSL_CTX* native = ctx.native_handle();
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    // TLS 1.2: ECDHE (forward secrecy) with AEAD only. TLS 1.3 suites are all AEAD.
    if (SSL_CTX_set_cipher_list(native,
                                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
                                "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
        SSL_CTX_set_ciphersuites(native, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") != 1)
        throw std::runtime_error("TLS cipher configuration rejected by OpenSSL");
    SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384");

    auto use = [](const std::filesystem::path& file, auto&& fn) {
        boost::system::error_code ec;
        fn(ec);
        if (ec) throw std::runtime_error("TLS: cannot use " + file.string() + ": " + ec.message());
    };
    use(files.certificate, [&](auto& ec) { ctx.use_certificate_chain_file(files.certificate.string(), ec); });
    use(files.private_key, [&](auto& ec) { ctx.use_private_key_file(files.private_key.string(), ssl::context::pem, ec); });
    if (SSL_CTX_check_private_key(native) != 1) throw std::runtime_error("TLS: private key does not match the certificate");
    use(files.client_ca, [&](auto& ec) { ctx.load_verify_file(files.client_ca.string(), ec); });
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str())) SSL_CTX_set_client_CA_list(native, names);

    if (!files.crl.empty()) load_crls(native, files.crl);
    // A client without a certificate the CA vouches for (and has not revoked) never gets past the handshake.
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &verify_client);
    SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT);  // and verify_client: client certificates must name clientAuth
    // No session resumption: every connection verifies its client certificate afresh (a revoked
    // certificate must not live on in a ticket), and OpenSSL 3.0 copies a session for each ticket
    // it issues by re-decoding the peer certificate, which cost a third of a full handshake.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(native, 0);
    return shared;
}

}  // namespace dg
