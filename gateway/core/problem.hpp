#pragma once
// A problem found in a message or record: the catalogue code, where it is, and what to fix.
#include <string>
#include <vector>

namespace dg {

struct Problem {
    std::string code;        // catalogue code, e.g. "bsn.checksum"
    std::string path;        // JSON pointer into the message, e.g. "/meldingen/0/leerling/bsn"
    std::string detail;      // what is wrong, never the personal value itself
    std::string melding_id;  // empty for message-level problems
};

using Problems = std::vector<Problem>;

}  // namespace dg
