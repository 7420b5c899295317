#pragma once
// `policy explain`: for a privacy officer, every rule applied to every record of a message as
// if the given party had sent it, and its outcome.
#include <string>
#include <string_view>

#include "api/ingest.hpp"

namespace dg {

// Returns the report; `all_allowed` tells whether every record would be accepted.
std::string explain_bericht(std::string_view body, WireFormat format, const Snapshot& snapshot, const Party& as,
                            bool& all_allowed);

}  // namespace dg
