#pragma once
// Streaming JSON reader (RapidJSON SAX): bericht text -> envelope + canonical records.
#include <string_view>

#include "canonical.hpp"

namespace dg {

ParseResult read_json_bericht(std::string_view body, const ParseLimits& limits, BerichtSink& sink);

}  // namespace dg
