#pragma once
// RFC 9112 framing rules the parser leaves to the server: a request whose body length is
// ambiguous is refused (400) and the connection closed, never read as one request and another
// (§6.1, §6.3); HTTP/1.1 needs exactly one Host (§3.2).
#include <boost/beast/http.hpp>

#include <optional>
#include <string>

namespace dg {

// What is wrong with the framing of this request header, or nothing.
std::optional<std::string> framing_fault(const boost::beast::http::request_header<>& head);

}  // namespace dg
