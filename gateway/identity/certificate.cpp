#include "identity/certificate.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>

#include "core/hex.hpp"
#include "core/identifiers.hpp"
#include "core/sha256.hpp"

namespace dg {

std::optional<std::string> oin_from_certificate(X509* cert) {
    if (!cert) return std::nullopt;
    X509_NAME* subject = X509_get_subject_name(cert);
    if (!subject) return std::nullopt;
    const int idx = X509_NAME_get_index_by_NID(subject, NID_serialNumber, -1);
    if (idx < 0) return std::nullopt;
    // Two serialNumber attributes would make the identity ambiguous: refuse.
    if (X509_NAME_get_index_by_NID(subject, NID_serialNumber, idx) >= 0) return std::nullopt;
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    if (!data) return std::nullopt;
    std::string oin(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), static_cast<std::size_t>(ASN1_STRING_length(data)));
    if (!oin_format_valid(oin)) return std::nullopt;
    return oin;
}

std::string certificate_fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!cert || X509_digest(cert, sha256_md(), md, &len) != 1) return {};
    return to_hex(md, len);
}

}  // namespace dg
