#pragma once
// What the gateway reads from a verified client certificate.
#include <openssl/x509.h>

#include <optional>
#include <string>

namespace dg {

// The OIN from the subject's serialNumber attribute (20 digits), if present and well-formed.
std::optional<std::string> oin_from_certificate(X509* cert);

// Lower-case hex SHA-256 of the DER encoding: identifies the exact certificate in the audit log.
std::string certificate_fingerprint(X509* cert);

}  // namespace dg
