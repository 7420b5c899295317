#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "identity/certificate.hpp"

using namespace dg;

namespace {

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

// A self-signed certificate whose subject holds the given serialNumber attributes.
CertPtr make_cert(const std::vector<std::string>& serial_numbers, const std::string& cn = "test") {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("NL"), -1, -1, 0);
    for (const auto& s : serial_numbers)
        X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(s.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key);
    X509_sign(cert.get(), key, EVP_sha256());
    EVP_PKEY_free(key);
    return cert;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(certificate)

BOOST_AUTO_TEST_CASE(oin_comes_from_subject_serial_number) {
    auto cert = make_cert({"00000099000000000201"});
    BOOST_TEST(oin_from_certificate(cert.get()).value() == "00000099000000000201");
}

BOOST_AUTO_TEST_CASE(no_or_malformed_serial_number_gives_no_oin) {
    BOOST_TEST(!oin_from_certificate(make_cert({}).get()).has_value());
    BOOST_TEST(!oin_from_certificate(make_cert({"0000009900000000020"}).get()).has_value());  // 19 digits
    BOOST_TEST(!oin_from_certificate(make_cert({"00000099000000000201X"}).get()).has_value());
    BOOST_TEST(!oin_from_certificate(make_cert({"0000009900000000020A"}).get()).has_value());
    BOOST_TEST(!oin_from_certificate(nullptr).has_value());
}

BOOST_AUTO_TEST_CASE(the_common_name_is_not_an_identity) {
    // A CN that looks like an OIN must not be taken for one.
    BOOST_TEST(!oin_from_certificate(make_cert({}, "00000099000000000201").get()).has_value());
}

BOOST_AUTO_TEST_CASE(two_serial_numbers_are_ambiguous) {
    auto cert = make_cert({"00000099000000000201", "00000099000000000202"});
    BOOST_TEST(!oin_from_certificate(cert.get()).has_value());
}

BOOST_AUTO_TEST_CASE(fingerprint_is_sha256_of_der) {
    auto cert = make_cert({"00000099000000000201"});
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(der, static_cast<std::size_t>(len), md, &mdlen, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    char hex[65];
    for (int i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
    BOOST_TEST(certificate_fingerprint(cert.get()) == std::string(hex));
    BOOST_TEST(certificate_fingerprint(make_cert({"00000099000000000201"}).get()) != std::string(hex));
}

BOOST_AUTO_TEST_SUITE_END()
