#pragma once
// `policy explain`: for a privacy officer, every rule applied to every record of a message as
// if the given party had sent it, and its outcome.
#include <string>
#include <string_view>

#include "api/ingest.hpp"

namespace dg {

// Returns the report; `all_allowed` tells whether every record would be accepted. With an
// `intermediary`, as `serve` judges a message it sends with Namens: `as`: its mandate for `as` in
// force on `today`, the endpoint and berichttype that mandate covers, then every rule as `as`.
std::string explain_bericht(std::string_view body, WireFormat format, const Snapshot& snapshot, const Party& as, bool& all_allowed,
                            const Party* intermediary = nullptr, const Date& today = today_utc());

}  // namespace dg
