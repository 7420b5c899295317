// The TLS policy of the HTTPS listener, each rule through a real handshake with a client that
// would accept what the server must refuse: TLS 1.2+ only, AEAD suites with forward secrecy only,
// client certificates that name clientAuth, and a CRL that must be readable and current at start.
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

#include <thread>

#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

namespace {

// A client that offers exactly `version` and, for TLS 1.2, exactly `ciphers`; security level 0
// so that the client's own defaults do not hide what the server would accept.
bool handshake(unsigned short port, int version, const char* ciphers = "DEFAULT:@SECLEVEL=0", const std::string& party = "school-12AB") {
    TlsClient c(port, party, dev_certs_dir(), [&](SSL_CTX* ctx) {
        SSL_CTX_set_security_level(ctx, 0);
        SSL_CTX_set_min_proto_version(ctx, version);
        SSL_CTX_set_max_proto_version(ctx, version);
        SSL_CTX_set_cipher_list(ctx, ciphers);
    });
    return c.connect() && c.request(http::verb::get, "/v1/me").status == 200;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_policy)

BOOST_AUTO_TEST_CASE(only_tls_1_2_and_1_3) {
    Gateway gw;
    BOOST_TEST(!handshake(gw.port, TLS1_VERSION));
    BOOST_TEST(!handshake(gw.port, TLS1_1_VERSION));
    BOOST_TEST(handshake(gw.port, TLS1_2_VERSION));
    BOOST_TEST(handshake(gw.port, TLS1_3_VERSION));
}

BOOST_AUTO_TEST_CASE(tls_1_2_takes_aead_suites_with_forward_secrecy_only) {
    Gateway gw;
    // CBC (with SHA-1 or SHA-2 MACs), and an AEAD suite without ECDHE: refused.
    for (const char* suite : {"ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
                              "AES128-GCM-SHA256", "AES256-SHA256"})
        BOOST_TEST(!handshake(gw.port, TLS1_2_VERSION, suite), suite);
    for (const char* suite : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"})
        BOOST_TEST(handshake(gw.port, TLS1_2_VERSION, suite), suite);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_must_name_client_auth) {
    Gateway gw;
    // Both carry school-12AB's OIN and come from the dev CA: only the extendedKeyUsage is wrong.
    for (const char* party : {"no-eku", "server-eku"}) {
        for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
            BOOST_TEST_CONTEXT(party << " over " << (version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2")) {
                TlsClient c(gw.port, party, dev_certs_dir(), [&](SSL_CTX* ctx) { SSL_CTX_set_max_proto_version(ctx, version); });
                // In TLS 1.3 the client learns of the refusal at its first read, not in connect().
                const bool through = c.connect() && c.request(http::verb::get, "/v1/me").answered;
                BOOST_TEST(!through);
            }
        }
    }
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/me").status == 200);
    BOOST_TEST(gw.audit_entries().size() == 1u);  // the refused ones never reached HTTP
}

BOOST_AUTO_TEST_CASE(an_unreadable_or_expired_crl_stops_start_up) {
    TempDir dir;
    const auto broken = dir.path / "broken.pem";
    write(broken, "-----BEGIN X509 CRL-----\nnot a crl\n-----END X509 CRL-----\n");
    const auto missing = dir.path / "missing.pem";
    const auto cnf = copy_dev_ca(dir);
    const auto expired = dir.path / "expired.pem";
    const std::string make = "openssl ca -config " + cnf.string() + " -gencrl -crlsec 1 -out " + expired.string() + " >/dev/null 2>&1";
    BOOST_REQUIRE(std::system(make.c_str()) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // past its nextUpdate
    for (const auto& entry : {std::pair{broken, "cannot read a CRL"}, std::pair{missing, "cannot read a CRL"}, std::pair{expired, "has expired"}}) {
        const std::filesystem::path file = entry.first;  // a named variable: lambdas may not capture bindings (clang 14)
        const std::string says = entry.second;
        BOOST_TEST_CONTEXT(file.filename()) {
            std::string error;
            try {
                Gateway gw([&](Config& c) { c.tls.crl = file; });
            } catch (const std::exception& e) {
                error = e.what();
            }
            BOOST_TEST(error.find(says) != std::string::npos, error);
            BOOST_TEST(error.find(file.string()) != std::string::npos, error);  // names the file
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
