#pragma once
// Format and checksum rules for the identifiers in the catalogue.
#include <string_view>

namespace dg {

// BSN: 9 digits, weights 9..2 and -1, weighted sum divisible by 11, not all zeros.
bool bsn_valid(std::string_view bsn);
// Onderwijsnummer: 9 digits starting with "10", same weights, weighted sum = 5 (mod 11).
bool onderwijsnummer_valid(std::string_view number);
// BRIN: 2 digits + 2 capital letters (e.g. 12AB).
bool brin_valid(std::string_view brin);
// Vestigingsnummer: 2 digits.
bool vestiging_valid(std::string_view vestiging);
// CBS gemeentecode: 4 digits.
bool gemeentecode_format_valid(std::string_view code);
// berichtId / meldingId: 1..64 of [A-Za-z0-9._:-].
bool message_id_valid(std::string_view id);
// OIN: 20 digits.
bool oin_format_valid(std::string_view oin);
// A Doorstroompunt region code: 1-32 letters, digits, '-' or '_' (it names the region's store file).
bool region_code_valid(std::string_view code);

}  // namespace dg
