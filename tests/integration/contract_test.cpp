// Promises of the contract (../shared/spec) that a new user relies on, each through the real
// server: meldingIds used once per sender, replays judged on content, malformed before anything
// else (the public JSONTestSuite), 400 for invalid input, limits with their status.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <map>
#include <thread>

#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

namespace {

std::vector<std::string> codes_of(const HttpReply& r) {
    std::vector<std::string> out;
    auto d = parse(r.body);
    if (d.IsObject() && d.HasMember("errors"))
        for (const auto& e : d["errors"].GetArray()) out.push_back(e["code"].GetString());
    if (d.IsObject() && d.HasMember("rejected"))
        for (const auto& rej : d["rejected"].GetArray())
            for (const auto& e : rej["errors"].GetArray()) out.push_back(e["code"].GetString());
    return out;
}

// Two meldingen of school-12AB in one message, with the given meldingIds.
std::string two(const std::string& bericht_id, const std::string& first, const std::string& second) {
    std::string body = verzuim(bericht_id, first);
    const auto start = body.find("{\"meldingId\"");
    std::string record = body.substr(start, body.size() - 2 - start);
    record.replace(record.find(first), first.size(), second);
    body.insert(body.size() - 2, "," + record);
    return body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(contract)

BOOST_AUTO_TEST_CASE(a_melding_id_is_used_once_per_sender) {
    for (const std::size_t threshold : {std::size_t(1) << 20, std::size_t(1)}) {  // group commit, then the streaming path
        BOOST_TEST_CONTEXT("bulk threshold " << threshold) {
            Gateway gw([&](Config& c) { c.bulk_threshold_bytes = threshold; });
            HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("B-1", "M-1"));
            BOOST_REQUIRE(first.status == 202);
            // The same meldingId in another message: refused per record; nothing acceptable is 400.
            HttpReply again = gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("B-2", "M-1"));
            BOOST_TEST(again.status == 400);
            BOOST_TEST(codes_of(again) == std::vector<std::string>{"melding.duplicate-id"});
            BOOST_TEST(parse(again.body)["errors"][0]["meldingId"].GetString() == std::string("M-1"));
            // /v1/validate says the same.
            BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/validate", verzuim("B-3", "M-1")).body.find("melding.duplicate-id") !=
                       std::string::npos);
            // Twice in one message: the first is taken, the second refused.
            HttpReply pair = gw.as("school-12AB", http::verb::post, "/v1/berichten", two("B-4", "M-2", "M-2"));
            BOOST_TEST(pair.status == 202);
            BOOST_TEST(parse(pair.body)["accepted"].GetInt() == 1);
            BOOST_TEST(codes_of(pair) == std::vector<std::string>{"melding.duplicate-id"});
            // A replay of B-1 still gets its original receipt.
            HttpReply replay = gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("B-1", "M-1"));
            BOOST_TEST(replay.status == 202);
            BOOST_TEST(replay.body == first.body);
            // Another sender has meldingIds of its own.
            std::string other = verzuim("B-1", "M-1");
            for (auto [from, to] : {std::pair{"12AB", "34CD"}, std::pair{"\"0363\"", "\"0599\""}})
                other.replace(other.find(from), std::strlen(from), to);
            BOOST_TEST(gw.as("school-34CD", http::verb::post, "/v1/berichten", other).status == 202);
            BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam") == (std::vector<std::string>{"M-2/geregistreerd", "M-1/geregistreerd"}));
            // So an intrekking names exactly one record.
            const std::string intrekking = R"({"berichtId":"W-1","berichttype":"intrekking","verzondenOp":"2026-11-24T09:00:00+01:00",)"
                                           R"("meldingen":[{"meldingId":"W-1","betreft":"M-1","reden":"foutief"}]})";
            BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", intrekking).status == 202);
            BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam") == std::vector<std::string>{"M-2/geregistreerd"});
            BOOST_TEST(caseload_meldingen(gw, "coordinator-rijnmond") == std::vector<std::string>{"M-1/geregistreerd"});
        }
    }
}

BOOST_AUTO_TEST_CASE(concurrent_messages_with_one_melding_id_store_it_once) {
    for (const std::size_t threshold : {std::size_t(1) << 20, std::size_t(1)}) {
        BOOST_TEST_CONTEXT("bulk threshold " << threshold) {
            Gateway gw([&](Config& c) { c.bulk_threshold_bytes = threshold; });
            std::vector<HttpReply> replies(8);
            std::vector<std::thread> threads;
            for (std::size_t i = 0; i < replies.size(); ++i)
                threads.emplace_back(
                    [&, i] { replies[i] = gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("RACE-" + std::to_string(i), "M-RACE")); });
            for (auto& t : threads) t.join();
            int accepted = 0;
            for (const auto& r : replies) {
                if (r.status == 202) ++accepted;
                else {
                    BOOST_TEST(r.status == 400);
                    BOOST_TEST(codes_of(r) == std::vector<std::string>{"melding.duplicate-id"});
                }
            }
            BOOST_TEST(accepted == 1);
            BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam") == std::vector<std::string>{"M-RACE/geregistreerd"});
            BOOST_TEST(gw.audit_entries().size() == replies.size() + 1);  // each request audited once, with its final answer
        }
    }
}

BOOST_AUTO_TEST_CASE(a_replay_is_judged_on_content_not_bytes) {
    Gateway gw;
    HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_REQUIRE(first.status == 202);
    // The same message in XML.
    HttpReply xml = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.xml"), "application/xml");
    BOOST_TEST(xml.status == 202);
    BOOST_TEST(xml.body == first.body);
    // Other whitespace and key order.
    rapidjson::Document d = parse(example("verzuimmelding.json"));
    std::string compact = R"({"meldingen":[)";
    for (auto& m : d["meldingen"].GetArray()) {
        rapidjson::StringBuffer b;
        rapidjson::Writer<rapidjson::StringBuffer> w(b);
        m.Accept(w);
        compact += std::string(compact.back() == '[' ? "" : ",") + b.GetString();
    }
    compact += std::string(R"(],"verzondenOp":")") + d["verzondenOp"].GetString() + R"(","berichttype":"verzuimmelding","berichtId":")" +
               d["berichtId"].GetString() + "\"}";
    HttpReply reordered = gw.as("school-12AB", http::verb::post, "/v1/berichten", compact);
    BOOST_TEST(reordered.status == 202);
    BOOST_TEST(reordered.body == first.body);
    // Other content under the same id is still a conflict, in either format.
    std::string changed = example("verzuimmelding.xml");
    changed.replace(changed.find("Ouders niet bereikbaar"), 6, "Vader ");
    HttpReply conflict = gw.as("school-12AB", http::verb::post, "/v1/berichten", changed, "application/xml");
    BOOST_TEST(conflict.status == 409);
    BOOST_TEST(codes_of(conflict) == std::vector<std::string>{"message.duplicate-id"});
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);
}

BOOST_AUTO_TEST_CASE(limits_answer_with_their_status_and_store_nothing) {
    for (const std::size_t threshold : {std::size_t(1) << 20, std::size_t(1)}) {
        BOOST_TEST_CONTEXT("bulk threshold " << threshold) {
            Gateway gw([&](Config& c) {
                c.bulk_threshold_bytes = threshold;
                c.parse.max_meldingen = 1;  // the example has two
            });
            HttpReply json = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
            BOOST_TEST(json.status == 413);
            BOOST_TEST(codes_of(json) == std::vector<std::string>{"message.too-large"});
            HttpReply xml = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.xml"), "application/xml");
            BOOST_TEST(xml.status == 413);
            BOOST_TEST(codes_of(xml) == std::vector<std::string>{"message.too-large"});
            BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").empty());
            // Within the limit it is taken.
            BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("ONE", "M-ONE")).status == 202);
        }
    }
    // Request headers over the limit: 431, answered and audited, and the connection closes.
    Gateway gw([](Config& c) { c.limits.header_bytes = 4096; });
    TlsClient c(gw.port, "school-12AB", dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    HttpReply big = c.request(http::verb::get, "/v1/me", {}, "application/json", {{"X-Padding", std::string(8000, 'p')}});
    BOOST_TEST(big.status == 431);
    BOOST_TEST(big.headers["Content-Type"] == "application/problem+json");
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/me").status == 200);
}

// Answers (and stored receipts) stay within about twice their request: the problems of the first
// records in full, the rest counted per code (messages.md, "Checks and their codes").
BOOST_AUTO_TEST_CASE(answers_stay_within_twice_their_request) {
    Gateway gw;
    // 20 000 records with 20 fields each that the type does not permit (and nothing else wrong).
    std::string record = verzuim("X", "M-%").substr(verzuim("X", "M-%").find("{\"meldingId\""));
    record.resize(record.size() - 2);
    std::string extra;
    for (int f = 0; f < 20; ++f) extra += ",\"extra" + std::to_string(f) + "\":\"x\"";
    record.insert(record.size() - 1, extra);
    std::string body = R"({"berichtId":"AMP-1","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[)";
    const std::size_t n = 20000;
    for (std::size_t i = 0; i < n; ++i) {
        std::string r = record;
        r.replace(r.find("M-%"), 3, "M-" + std::to_string(i));
        body += (i ? "," : "") + r;
    }
    body += "]}";
    HttpReply v = gw.as("school-12AB", http::verb::post, "/v1/validate", body);
    BOOST_REQUIRE(v.status == 200);
    BOOST_TEST(v.body.size() <= 2 * body.size() + (1u << 20));
    auto d = parse(v.body);
    BOOST_TEST(d["valid"].GetBool() == false);
    BOOST_TEST(d["truncated"].GetBool());
    BOOST_TEST(d["rejectedTotal"].GetUint64() == n);
    // Listed and omitted together are every problem there is: 20 per record.
    std::size_t listed = 0;
    for (const auto& e : d["errors"].GetArray()) listed += std::string(e["code"].GetString()) == "field.not-permitted";
    BOOST_TEST(listed <= 10u * 1000u);
    BOOST_TEST(listed + d["omitted"]["field.not-permitted"].GetUint64() == n * 20);
    BOOST_TEST(d["omitted"].MemberCount() == 1u);
    // The same as a message: 400, bounded the same way.
    body.replace(body.find("AMP-1"), 5, "AMP-2");
    HttpReply b = gw.as("school-12AB", http::verb::post, "/v1/berichten", body);
    BOOST_TEST(b.status == 400);
    BOOST_TEST(b.body.size() <= 2 * body.size() + (1u << 20));
    BOOST_TEST(parse(b.body)["truncated"].GetBool());

    // Stored amplification: one good record and 20 000 empty ones give a bounded stored receipt.
    std::string small = verzuim("AMP-3", "M-GOOD");
    small.resize(small.size() - 2);
    for (std::size_t i = 0; i < n; ++i) small += ",{}";
    small += "]}";
    HttpReply stored = gw.as("school-12AB", http::verb::post, "/v1/berichten", small);
    BOOST_TEST(stored.status == 202);
    BOOST_TEST(stored.body.size() <= 2 * small.size() + (1u << 20));
    auto receipt = parse(stored.body);
    BOOST_TEST(receipt["accepted"].GetInt() == 1);
    BOOST_TEST(receipt["truncated"].GetBool());
    BOOST_TEST(receipt["rejectedTotal"].GetUint64() == n);
    HttpReply replay = gw.as("school-12AB", http::verb::post, "/v1/berichten", small);
    BOOST_TEST(replay.body == stored.body);
    // The audit entries stay small too: each problem code once.
    for (const auto& e : gw.audit_entries()) BOOST_TEST(e.size() < 64u * 1024u);
}

// Every answer — API, UI, errors, admin — carries API-Version and the security headers of the
// Dutch API Design Rules (interface.md, conventions).
BOOST_AUTO_TEST_CASE(every_answer_carries_the_standard_headers) {
    Gateway gw;
    auto check = [](const std::map<std::string, std::string>& h, const std::string& what) {
        BOOST_TEST_CONTEXT(what) {
            auto at = [&](const char* k) {
                auto it = h.find(k);
                return it == h.end() ? std::string() : it->second;
            };
            BOOST_TEST(at("API-Version") == "1.0.0");
            BOOST_TEST(at("Strict-Transport-Security").find("max-age=") == 0u);
            BOOST_TEST(at("X-Content-Type-Options") == "nosniff");
            BOOST_TEST(at("X-Frame-Options") == "DENY");
            BOOST_TEST(at("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
            BOOST_TEST(!at("Cache-Control").empty());
        }
    };
    check(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).headers, "a 202");
    check(gw.as("school-12AB", http::verb::post, "/v1/berichten", "{").headers, "a 400");
    check(gw.as("stranger", http::verb::get, "/v1/me").headers, "a 403");
    check(gw.as("school-12AB", http::verb::get, "/v1/nothing").headers, "a 404");
    check(gw.as("coordinator-amsterdam", http::verb::get, "/ui/").headers, "the UI");
    // The admin listener (plain HTTP, no certificate).
    for (const char* target : {"/healthz", "/metrics", "/nothing"}) {
        const auto res = gw.admin_request(target);
        std::map<std::string, std::string> h;
        for (const auto& f : res) h[std::string(f.name_string())] = std::string(f.value());
        check(h, std::string("admin ") + target);
    }
}

// FSC (Digikoppeling REST): Fsc-Transaction-Id is a UUIDv7, echoed, made when absent, kept in the
// audit entry; a malformed one is 400. W3C traceparent: its trace and parent id go into the audit
// entry; a malformed one starts a new trace.
BOOST_AUTO_TEST_CASE(transaction_ids_and_trace_context_reach_the_audit_entry) {
    Gateway gw;
    TlsClient c(gw.port, "school-12AB", dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    const std::string id = "0192f4a8-7b2c-7d3e-9f10-1a2b3c4d5e6f";
    const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    HttpReply given = c.request(http::verb::get, "/v1/me", {}, "application/json", {{"Fsc-Transaction-Id", id}, {"traceparent", tp}});
    BOOST_TEST(given.status == 200);
    BOOST_TEST(given.headers["Fsc-Transaction-Id"] == id);
    HttpReply made = c.request(http::verb::get, "/v1/me", {}, "application/json", {{"traceparent", "00-zz-bad"}});
    const std::string generated = made.headers["Fsc-Transaction-Id"];
    BOOST_TEST(generated.size() == 36u);
    BOOST_TEST(generated[14] == '7');                                          // version 7
    BOOST_TEST(std::string("89ab").find(generated[19]) != std::string::npos);  // RFC 9562 variant
    for (const char* bad : {"not-a-uuid", "0192f4a8-7b2c-4d3e-9f10-1a2b3c4d5e6f" /* v4 */, "0192f4a8-7b2c-7d3e-1f10-1a2b3c4d5e6f"}) {
        HttpReply r = c.request(http::verb::get, "/v1/me", {}, "application/json", {{"Fsc-Transaction-Id", bad}});
        BOOST_TEST(r.status == 400, bad);
        BOOST_TEST(r.body.find("Fsc-Transaction-Id") != std::string::npos);
        BOOST_TEST(r.body.find(bad) == std::string::npos);  // the caller's text is not repeated
    }
    const auto audit = gw.audit_entries();
    BOOST_REQUIRE(audit.size() == 5u);
    const auto first = parse(audit[0]), second = parse(audit[1]), third = parse(audit[2]);
    BOOST_TEST(first["fscTransactionId"].GetString() == id);
    BOOST_TEST(first["traceId"].GetString() == std::string("4bf92f3577b34da6a3ce929d0e0e4736"));
    BOOST_TEST(first["parentSpanId"].GetString() == std::string("00f067aa0ba902b7"));
    BOOST_TEST(second["fscTransactionId"].GetString() == generated);
    BOOST_TEST(second["parentSpanId"].GetString() == std::string());  // the malformed traceparent was ignored
    BOOST_TEST(std::string(second["traceId"].GetString()).size() == 32u);
    BOOST_TEST(third["status"].GetInt() == 400);
    BOOST_TEST(third["fscTransactionId"].GetString() == std::string("(malformed)"));
}

// nst/JSONTestSuite, unchanged: n_ files are 400 message.malformed, y_ files never malformed,
// i_ files never a 5xx; the server is alive after.
BOOST_AUTO_TEST_CASE(the_json_test_suite_malformed_is_malformed) {
    Gateway gw;
    const auto dir = conformance_dir() / "jsontestsuite";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    BOOST_REQUIRE(files.size() >= 300u);
    auto client = std::make_unique<TlsClient>(gw.port, "school-12AB", dev_certs_dir());
    BOOST_REQUIRE(client->connect());
    std::size_t n = 0, y = 0, i = 0;
    for (const auto& f : files) {
        const std::string name = f.filename().string();
        HttpReply r = client->request(http::verb::post, "/v1/berichten", slurp(f));
        if (!r.answered) {  // the server closed the connection after an earlier answer: a new one
            client = std::make_unique<TlsClient>(gw.port, "school-12AB", dev_certs_dir());
            BOOST_REQUIRE(client->connect());
            r = client->request(http::verb::post, "/v1/berichten", slurp(f));
        }
        BOOST_TEST_CONTEXT(name << ": " << r.status << " " << r.body) {
            BOOST_TEST(r.answered);
            const auto codes = codes_of(r);
            const bool malformed = r.status == 400 && codes == std::vector<std::string>{"message.malformed"};
            if (name.starts_with("n_")) {
                ++n;
                BOOST_TEST(malformed);
            } else if (name.starts_with("y_")) {
                ++y;
                BOOST_TEST(!malformed);
                BOOST_TEST((std::find(codes.begin(), codes.end(), "message.malformed") == codes.end()));
            } else {
                ++i;
                BOOST_TEST(r.status < 500);
            }
        }
    }
    BOOST_TEST(n == 188u);
    BOOST_TEST(y == 95u);
    BOOST_TEST(i == 35u);
    BOOST_TEST(gw.admin_get("/healthz").starts_with("200"));
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("AFTER", "M-AFTER")).status == 202);
}

BOOST_AUTO_TEST_SUITE_END()
