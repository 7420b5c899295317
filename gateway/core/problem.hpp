#pragma once
// A problem found in a message or record: the catalogue code, where it is, and what to fix; and
// the catalogue's codes in one table (messages.md, "Checks and their codes"), so that a code is
// spelt once and a policy can name only codes that exist.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace dg {

struct Problem {
    std::string code;        // catalogue code, e.g. "bsn.checksum"
    std::string path;        // JSON pointer into the message, e.g. "/meldingen/0/leerling/bsn"
    std::string detail;      // what is wrong, never the personal value itself
    std::string melding_id;  // empty for message-level problems
};

using Problems = std::vector<Problem>;

namespace problem_code {

inline constexpr const char* kMessageMalformed = "message.malformed";
inline constexpr const char* kMessageSchema = "message.schema";
inline constexpr const char* kMessageTypeUnknown = "message.type-unknown";
inline constexpr const char* kMessageTooLarge = "message.too-large";
inline constexpr const char* kMessageDuplicateId = "message.duplicate-id";
inline constexpr const char* kMessageDigestMismatch = "message.digest-mismatch";
inline constexpr const char* kSenderUnknown = "sender.unknown";
inline constexpr const char* kSenderRoleNotPermitted = "sender.role-not-permitted";
inline constexpr const char* kMandateMissing = "mandate.missing";
inline constexpr const char* kMandateNotPermitted = "mandate.not-permitted";
inline constexpr const char* kMeldingDuplicateId = "melding.duplicate-id";
inline constexpr const char* kFieldNotPermitted = "field.not-permitted";
inline constexpr const char* kBsnChecksum = "bsn.checksum";
inline constexpr const char* kOnderwijsnummerChecksum = "onderwijsnummer.checksum";
inline constexpr const char* kLeerlingIdentifier = "leerling.identifier";
inline constexpr const char* kBrinFormat = "brin.format";
inline constexpr const char* kGemeenteUnknown = "gemeente.unknown";
inline constexpr const char* kDateInvalid = "date.invalid";
inline constexpr const char* kPeriodInvalid = "period.invalid";
inline constexpr const char* kSubjectAgeOutOfRange = "subject.age-out-of-range";
inline constexpr const char* kScopeNotOwnBrin = "scope.not-own-brin";
inline constexpr const char* kScopeNotOwnResident = "scope.not-own-resident";
inline constexpr const char* kScopeNotOwnRegion = "scope.not-own-region";
inline constexpr const char* kVerzuimThreshold = "verzuim.threshold";
inline constexpr const char* kVsvHasStartkwalificatie = "vsv.has-startkwalificatie";
inline constexpr const char* kWithdrawalNotOwner = "withdrawal.not-owner";
inline constexpr const char* kWithdrawalUnknown = "withdrawal.unknown";
inline constexpr const char* kChangeNotOwner = "change.not-owner";
inline constexpr const char* kChangeUnknown = "change.unknown";
inline constexpr const char* kVerhuizingNotFound = "verhuizing.not-found";
// The gateway's own, beyond the catalogue's record checks (operations.md, security.md).
inline constexpr const char* kServerBusy = "server.busy";
inline constexpr const char* kSenderRateLimited = "sender.rate-limited";

// Every code above: those of the catalogue first, then the gateway's own.
inline constexpr const char* kCatalogue[] = {
    kMessageMalformed,        kMessageSchema,      kMessageTypeUnknown,  kMessageTooLarge,    kMessageDuplicateId, kSenderUnknown,
    kSenderRoleNotPermitted,  kMandateMissing,     kMandateNotPermitted, kMeldingDuplicateId, kFieldNotPermitted,  kBsnChecksum,
    kOnderwijsnummerChecksum, kLeerlingIdentifier, kBrinFormat,          kGemeenteUnknown,    kDateInvalid,        kPeriodInvalid,
    kSubjectAgeOutOfRange,    kScopeNotOwnBrin,    kScopeNotOwnResident, kScopeNotOwnRegion,  kVerzuimThreshold,   kVsvHasStartkwalificatie,
    kWithdrawalNotOwner,      kWithdrawalUnknown,  kChangeNotOwner,      kChangeUnknown,      kVerhuizingNotFound, kMessageDigestMismatch};
inline constexpr const char* kGatewayOwn[] = {kServerBusy, kSenderRateLimited};

inline bool in_catalogue(std::string_view c) {
    return std::any_of(std::begin(kCatalogue), std::end(kCatalogue), [&](const char* k) { return c == k; });
}

}  // namespace problem_code
}  // namespace dg
