#include "net/http_framing.hpp"

#include <boost/beast/core/string.hpp>

namespace dg {

namespace http = boost::beast::http;

std::optional<std::string> framing_fault(const http::request_header<>& head) {
    const auto te = head.find(http::field::transfer_encoding);
    if (te != head.end()) {
        if (head.count(http::field::transfer_encoding) != 1) return "more than one Transfer-Encoding field";
        if (head.find(http::field::content_length) != head.end()) return "both Transfer-Encoding and Content-Length";
        std::string_view codings(te->value().data(), te->value().size());
        while (!codings.empty() && (codings.back() == ' ' || codings.back() == '\t')) codings.remove_suffix(1);
        const auto comma = codings.rfind(',');
        std::string_view last = comma == std::string_view::npos ? codings : codings.substr(comma + 1);
        while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
        if (!boost::beast::iequals(last, "chunked")) return "a Transfer-Encoding whose final coding is not chunked";
    }
    if (head.count(http::field::content_length) > 1) return "more than one Content-Length field";
    if (head.version() >= 11 && head.count(http::field::host) != 1) return "HTTP/1.1 needs exactly one Host field";
    return std::nullopt;
}

}  // namespace dg
