#pragma once
// Streaming XML reader (libxml2 xmlTextReader): bericht text -> envelope + canonical records.
// Hostile input is refused: no DTD, no entities, no network, bounded depth and value sizes.
// Values come out as strings; TypePolicy::apply_text_types gives them their schema types.
#include <libxml/xmlschemas.h>

#include <string_view>

#include "canonical.hpp"

namespace dg {

inline constexpr const char* kBerichtNamespace = "urn:x-doorstroom-gateway:gegevensdeling:v1";

// With `xsd`, records are validated while streaming; violations land in Melding::structure_problems.
ParseResult read_xml_bericht(std::string_view body, const ParseLimits& limits, BerichtSink& sink, xmlSchemaPtr xsd = nullptr);

}  // namespace dg
