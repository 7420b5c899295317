// What one hostile client can do, bounded: HTTP framing that could smuggle a second request,
// strangers holding large-body slots or the connection budget, requests trickled past the
// deadline. Each case through the real server with real sockets.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;
namespace net = boost::asio;

namespace {

// Sends `raw` on a fresh connection of school-12AB; the reply, and (with `second`) whether a
// second reply followed before the server closed the connection.
std::pair<HttpReply, bool> raw_exchange(const Gateway& gw, const std::string& raw, bool second = false) {
    TlsClient c(gw.port, "school-12AB", dev_certs_dir());
    if (!c.connect() || !c.send_raw(raw)) return {};
    HttpReply first = c.read_reply();
    return {first, second && c.read_reply().answered};
}

const std::string kSmuggled = "GET /v1/me HTTP/1.1\r\nHost: localhost\r\n\r\n";

// A plain TCP connection from `from` that never starts TLS.
std::unique_ptr<net::ip::tcp::socket> idle_connection(net::io_context& ioc, unsigned short port, const char* from) {
    auto s = std::make_unique<net::ip::tcp::socket>(ioc);
    s->open(net::ip::tcp::v4());
    s->bind({net::ip::make_address(from), 0});
    s->connect({net::ip::make_address("127.0.0.1"), port});
    return s;
}

// Whether the server closed `s` (a read sees EOF or a reset within a short wait).
bool closed_by_server(net::ip::tcp::socket& s) {
    timeval tv{2, 0};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    boost::system::error_code ec;
    s.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(abuse)

// RFC 9112 §6.1, §6.3, §3.2: an ambiguous body length or a missing Host is 400 and the
// connection closes; the bytes after it are never read as a second request.
BOOST_AUTO_TEST_CASE(ambiguous_framing_is_400_and_close) {
    Gateway gw;
    const std::string body = "{}";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"final coding not chunked", "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n" + kSmuggled},
        {"chunked, then another coding", "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" + kSmuggled},
        {"Transfer-Encoding and Content-Length",
         "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + kSmuggled},
        {"two Content-Lengths", "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}" + kSmuggled},
        {"a bad chunk size", "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" + kSmuggled},
        {"no Host", "GET /v1/me HTTP/1.1\r\n\r\n" + kSmuggled},
        {"two Hosts", "GET /v1/me HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + kSmuggled},
    };
    // At once: the server lingers a moment before it closes each of them.
    std::vector<std::pair<HttpReply, bool>> replies(cases.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < cases.size(); ++i) threads.emplace_back([&, i] { replies[i] = raw_exchange(gw, cases[i].second, true); });
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < cases.size(); ++i) {
        BOOST_TEST_CONTEXT(cases[i].first) {
            const auto& [reply, second] = replies[i];
            BOOST_TEST(reply.status == 400);
            BOOST_TEST(reply.headers.at("Content-Type") == "application/problem+json");
            BOOST_TEST(reply.body.find("message.malformed") != std::string::npos);
            BOOST_TEST(!second);  // no second request out of one body
        }
    }
    // Well-framed requests, chunked or not, and HTTP/1.0 without Host, are served.
    BOOST_TEST(raw_exchange(gw,
                            "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: "
                            "application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                   .first.status == 200);
    BOOST_TEST(raw_exchange(gw, "GET /v1/me HTTP/1.0\r\n\r\n").first.status == 200);
    // Every refusal is audited, by its route template.
    std::size_t refused = 0;
    for (const auto& e : gw.audit_entries()) refused += e.find("\"status\":400") != std::string::npos;
    BOOST_TEST(refused == cases.size());
    // Neither a raw path nor an unknown method (both the client's own text) reaches the log.
    raw_exchange(gw, "GET /v1/records/291417772 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    raw_exchange(gw, "BSN291417772 /v1/me HTTP/1.1\r\nHost: localhost\r\n\r\n");
    raw_exchange(gw, "GET /v1/291417772 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    for (const auto& e : gw.audit_entries()) BOOST_TEST(e.find("291417772") == std::string::npos, e);
}

// A large body is read only for a registered party with a free slot of its share.
BOOST_AUTO_TEST_CASE(large_body_slots_are_for_parties_and_shared) {
    Gateway gw([](Config& c) {
        c.limits.max_large_bodies = 4;
        c.limits.max_large_bodies_per_party = 2;
        c.limits.read_timeout = std::chrono::milliseconds(20000);
    });
    const std::string big_head =
        "POST /v1/berichten HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{";
    // Strangers trickling large bodies get 403 at once and hold no slot.
    std::vector<std::unique_ptr<TlsClient>> strangers;
    for (int i = 0; i < 6; ++i) {
        strangers.push_back(std::make_unique<TlsClient>(gw.port, "stranger", dev_certs_dir()));
        BOOST_REQUIRE(strangers.back()->connect());
        BOOST_REQUIRE(strangers.back()->send_raw(big_head));
        HttpReply r = strangers.back()->read_reply();
        BOOST_TEST(r.status == 403);
        BOOST_TEST(r.body.find("sender.unknown") != std::string::npos);
    }
    // One party trickling two large bodies holds its share; its third is refused, another
    // party's large message still goes through.
    std::vector<std::unique_ptr<TlsClient>> mine;
    for (int i = 0; i < 2; ++i) {
        mine.push_back(std::make_unique<TlsClient>(gw.port, "school-12AB", dev_certs_dir()));
        BOOST_REQUIRE(mine.back()->connect());
        BOOST_REQUIRE(mine.back()->send_raw(big_head));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::string large = verzuim("LARGE-1", "M-LARGE");
    large.insert(large.find("\"meldingen\""), "\"pad\":\"" + std::string(1100000, 'x') + "\",");  // over the 1 MiB threshold
    HttpReply third = gw.as("school-12AB", http::verb::post, "/v1/berichten", large);
    BOOST_TEST(third.status == 503);
    BOOST_TEST(third.body.find("server.busy") != std::string::npos);
    HttpReply other = gw.as("duo", http::verb::post, "/v1/berichten", large);
    BOOST_TEST(other.status == 400);  // read and judged (its envelope has a value too long), not turned away
    BOOST_TEST(other.body.find("server.busy") == std::string::npos);
}

// Connections that never finish a handshake have a budget of their own: per address (more are
// refused) and in total (the oldest makes room), so registered parties always get in.
BOOST_AUTO_TEST_CASE(unidentified_connections_cannot_exhaust_the_server) {
    Gateway gw([](Config& c) {
        c.limits.max_handshakes_per_client = 8;
        c.limits.max_handshakes = 12;
        c.limits.max_connections_per_client = 1000;
    });
    net::io_context ioc;
    std::vector<std::unique_ptr<net::ip::tcp::socket>> idle;
    for (int i = 0; i < 8; ++i) idle.push_back(idle_connection(ioc, gw.port, "127.0.0.2"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // A ninth from the same address is closed at once; a party from another address gets in.
    auto ninth = idle_connection(ioc, gw.port, "127.0.0.2");
    BOOST_TEST(closed_by_server(*ninth));
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/me").status == 200);
    // More addresses fill the total budget: the oldest unfinished handshakes make room, and a
    // party still gets in.
    for (int i = 0; i < 8; ++i) idle.push_back(idle_connection(ioc, gw.port, "127.0.0.3"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(closed_by_server(*idle.front()));  // evicted
    for (int i = 0; i < 5; ++i) BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/me").status == 200);
}

// The read timeout is for the whole request, not per phase: a request trickled in pieces, each
// in time, is cut off once the whole has taken too long.
BOOST_AUTO_TEST_CASE(a_request_has_one_deadline) {
    Gateway gw([](Config& c) { c.limits.read_timeout = std::chrono::milliseconds(1000); });
    TlsClient c(gw.port, "school-12AB", dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    BOOST_REQUIRE(c.send_raw("POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    BOOST_REQUIRE(c.send_raw("\r\n{\"berichtId\":"));  // the header is complete in time
    bool cut = false;
    for (int step = 0; step < 10 && !cut; ++step) {  // the body trickles, each piece in time
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        cut = !c.send_raw(" ");
    }
    BOOST_TEST(!c.read_reply().answered);
    // A keep-alive connection may wait longer than that between requests.
    TlsClient k(gw.port, "school-12AB", dev_certs_dir());
    BOOST_REQUIRE(k.connect());
    BOOST_TEST(k.request(http::verb::get, "/v1/me").status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    BOOST_TEST(k.request(http::verb::get, "/v1/me").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
