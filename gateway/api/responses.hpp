#pragma once
// Building the gateway's HTTP answers: JSON bodies and RFC 9457 problem details.
#include <boost/beast/http.hpp>

#include <string>
#include <string_view>

#include "api/ingest.hpp"
#include "core/problem.hpp"

namespace dg {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

inline constexpr const char* kApiVersion = "1.0.0";

// The headers every answer carries (API, UI, errors, admin), as the Dutch API Design Rules and
// interface.md ask: API-Version, no caching, HSTS, nosniff, no framing (X-Frame-Options and CSP
// frame-ancestors; a CSP already set, as the UI's, is kept).
void standard_headers(Response& response);

Response json_response(int status, std::string body);
// type is urn:x-doorstroom-gateway:problem:<code of the first problem or `kind`>.
Response problem_response(int status, std::string_view title, std::string_view detail, const Problems& problems);
std::string problems_json(const Problems& problems);
// The 202 receipt of interface.md.
// When an intermediary sent the message for its principal (Namens), the receipt names both.
std::string receipt_json(const IngestResult& result, std::string_view principal_oin = {}, std::string_view intermediary_oin = {});
// A message refused as a whole or with no record accepted: problem+json with the message's and the
// listed records' problems, and (when the list was bounded) "truncated" and the rest per code.
Response refusal_response(int status, std::string_view title, std::string_view detail, const IngestResult& result);
// The answer of /v1/validate: {valid, errors[, truncated, omitted]}.
std::string validation_json(const IngestResult& result);

}  // namespace dg
