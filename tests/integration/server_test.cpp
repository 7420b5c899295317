// The real server in-process on an ephemeral loopback port, with the dev certificates, a real
// store (SQLite in a temp dir; PostgreSQL in the test cluster with DG_TEST_STORE=postgres), and a
// real TLS client.
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>
#include <thread>

#include "audit/merkle.hpp"
#include "audit/signer.hpp"
#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(clients_without_a_valid_certificate_never_reach_http) {
    Gateway gw;
    for (const char* party : {"", "untrusted", "expired"}) {
        BOOST_TEST_CONTEXT("client certificate: " << (*party ? party : "none")) {
            HttpReply r = gw.as(party, http::verb::get, "/v1/caseload");
            BOOST_TEST(!r.answered);
            BOOST_TEST(r.status == 0);
        }
    }
    // The server counts a failed handshake on its own thread, possibly after the client gave up.
    for (int i = 0; i < 250 && gw.service->metrics().tls_handshake_failures() < 3u; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    BOOST_TEST(gw.service->metrics().tls_handshake_failures() == 3u);
    // None of them is an audited HTTP request.
    BOOST_TEST(gw.audit_entries().empty());
}

BOOST_AUTO_TEST_CASE(unknown_oin_is_403_sender_unknown) {
    Gateway gw;
    HttpReply r = gw.as("stranger", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(r.status == 403);
    BOOST_TEST(r.headers["Content-Type"] == "application/problem+json");
    BOOST_TEST(r.headers["API-Version"] == "1.0.0");
    BOOST_TEST(first_code(r) == "sender.unknown");
    auto audit = gw.audit_entries();
    BOOST_REQUIRE(audit.size() == 1u);
    BOOST_TEST(audit[0].find("\"partyOin\":\"00000099000000000999\"") != std::string::npos);
    BOOST_TEST(audit[0].find("\"outcome\":\"refused\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(school_push_reaches_only_its_regions_coordinator) {
    Gateway gw;
    HttpReply push = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(push.status == 202);
    BOOST_TEST(push.headers["API-Version"] == "1.0.0");
    auto receipt = parse(push.body);
    BOOST_REQUIRE(receipt.IsObject());
    BOOST_TEST(receipt["accepted"].GetInt() == 2);
    BOOST_TEST(receipt["rejected"].Size() == 0u);
    BOOST_REQUIRE(receipt["records"].Size() == 2u);
    const std::string id0 = receipt["records"][0]["id"].GetString();
    BOOST_TEST(std::string(receipt["records"][0]["region"].GetString()) == "90");

    HttpReply ams = gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload");
    BOOST_TEST(ams.status == 200);
    auto page = parse(ams.body);
    BOOST_REQUIRE(page.IsObject());
    BOOST_TEST(page["items"].Size() == 2u);
    BOOST_TEST(page["nextCursor"].IsNull());
    bool seen = false;
    for (const auto& item : page["items"].GetArray()) seen = seen || id0 == item["id"].GetString();
    BOOST_TEST(seen);
    BOOST_TEST(std::string(page["items"][0]["legalBasis"].GetString()).find("Leerplichtwet") != std::string::npos);

    HttpReply rijnmond = gw.as("coordinator-rijnmond", http::verb::get, "/v1/caseload");
    BOOST_TEST(rijnmond.status == 200);
    BOOST_TEST(parse(rijnmond.body)["items"].Size() == 0u);
    BOOST_TEST(rijnmond.body.find(id0) == std::string::npos);

    HttpReply school_reads = gw.as("school-12AB", http::verb::get, "/v1/caseload");
    BOOST_TEST(school_reads.status == 403);
    BOOST_TEST(first_code(school_reads) == "sender.role-not-permitted");
    HttpReply coordinator_sends = gw.as("coordinator-amsterdam", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_TEST(coordinator_sends.status == 403);
}

BOOST_AUTO_TEST_CASE(roles_and_scopes_through_the_server) {
    Gateway gw;
    auto send = [&](const char* party, const std::string& file, const std::string& ct = "application/json") {
        return gw.as(party, http::verb::post, "/v1/berichten", example(file), ct);
    };
    // Allowed senders within scope.
    BOOST_TEST(send("duo", "vsv-melding.json").status == 202);
    BOOST_TEST(send("school-34CD", "vsv-melding.xml", "application/xml").status == 202);
    BOOST_TEST(send("gemeente-0363", "trajectmelding.json").status == 202);
    BOOST_TEST(send("gemeente-0363", "vrijstelling.json").status == 202);
    BOOST_TEST(send("school-12AB", "verzuimmelding.json").status == 202);
    BOOST_TEST(send("gemeente-0599", "verhuizing.json").status == 202);  // the pupil has records in 0363 now
    // Outside the sender's scope: 400 with scope codes (record-level refusals).
    HttpReply brin = send("school-12AB", "vsv-melding.json");
    BOOST_TEST(brin.status == 400);
    BOOST_TEST(first_code(brin) == "scope.not-own-brin");
    HttpReply resident = send("gemeente-0599", "trajectmelding.json");
    BOOST_TEST(resident.status == 400);
    BOOST_TEST(first_code(resident) == "scope.not-own-resident");
    HttpReply mover = send("gemeente-0363", "verhuizing.json");  // the old gemeente may not report the move
    BOOST_TEST(mover.status == 400);
    BOOST_TEST(first_code(mover) == "scope.not-own-resident");
    // A role that may not send the type: 403.
    for (auto [party, file] : std::vector<std::pair<const char*, const char*>>{{"gemeente-0363", "verzuimmelding.json"},
                                                                               {"school-12AB", "trajectmelding.json"},
                                                                               {"duo", "vrijstelling.xml"},
                                                                               {"auditor", "vsv-melding.json"}}) {
        HttpReply r = send(party, file, std::string(file).ends_with(".xml") ? "application/xml" : "application/json");
        BOOST_TEST(r.status == 403, party << " sends " << file);
        BOOST_TEST(first_code(r) == "sender.role-not-permitted");
    }
}

// The gateway's own life is in the log: its start first (with what is in force), its stop last,
// once every acknowledged request is in.
BOOST_AUTO_TEST_CASE(start_and_stop_are_audit_entries) {
    Gateway gw;
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).status == 202);
    gw.service->stop();
    const auto all = gw.audit_entries(true);
    BOOST_REQUIRE(all.size() == 3u);
    const auto first = parse(all.front()), last = parse(all.back());
    BOOST_TEST(first["action"].GetString() == std::string("start"));
    BOOST_TEST(first["partyRole"].GetString() == std::string("system"));
    BOOST_TEST(first["outcome"].GetString() == std::string("allowed"));
    for (const char* k : {"version", "keyId", "partiesVersion", "mandatesVersion", "regionsVersion"}) BOOST_TEST(first["attributes"].HasMember(k), k);
    BOOST_TEST(std::string(first["policyVersion"].GetString()).rfind("sha256:", 0) == 0);
    BOOST_TEST(parse(all[1])["action"].GetString() == std::string("POST /v1/berichten"));
    BOOST_TEST(last["action"].GetString() == std::string("stop"));
    BOOST_TEST(last["partyRole"].GetString() == std::string("system"));
}

BOOST_AUTO_TEST_CASE(every_request_is_audited_without_raw_bsn) {
    Gateway gw;
    gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    gw.as("school-34CD", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));  // 400, other BRIN
    gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload");
    gw.as("auditor", http::verb::get, "/v1/caseload");
    gw.as("school-12AB", http::verb::get, "/v1/nope");
    const auto audit = gw.audit_entries();
    BOOST_REQUIRE(audit.size() == 5u);
    for (const auto& e : audit) {
        BOOST_TEST(e.find("291417772") == std::string::npos);
        BOOST_TEST(e.find("101222331") == std::string::npos);
        auto d = parse(e);
        BOOST_REQUIRE(d.IsObject());
        BOOST_TEST(std::string(d["policyVersion"].GetString()).rfind("sha256:", 0) == 0u);
        BOOST_TEST(std::string(d["certFingerprint"].GetString()).size() == 64u);
    }
    auto first = parse(audit[0]);
    BOOST_TEST(std::string(first["outcome"].GetString()) == "allowed");
    BOOST_TEST(first["recordIds"].Size() == 2u);
    BOOST_TEST(first["subjects"].Size() == 2u);
    BOOST_TEST(std::string(first["legalBasis"].GetString()).find("Leerplichtwet") != std::string::npos);
    auto second = parse(audit[1]);
    BOOST_TEST(second["status"].GetInt() == 400);
    BOOST_TEST(second["subjects"].Size() == 2u);            // who was refused about whom, by pseudonym
    BOOST_TEST(parse(audit[2])["recordIds"].Size() == 2u);  // who saw which records
    BOOST_TEST(parse(audit[3])["status"].GetInt() == 403);
    BOOST_TEST(parse(audit[4])["status"].GetInt() == 404);
}

BOOST_AUTO_TEST_CASE(bad_messages_get_problem_json_and_change_nothing) {
    Gateway gw([](Config& c) { c.limits.body_bytes = 64 * 1024; });
    HttpReply media = gw.as("school-12AB", http::verb::post, "/v1/berichten", "x", "text/plain");
    BOOST_TEST(media.status == 415);
    HttpReply malformed = gw.as("school-12AB", http::verb::post, "/v1/berichten", "{\"berichtId\":");
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(first_code(malformed) == "message.malformed");
    HttpReply big = gw.as("school-12AB", http::verb::post, "/v1/berichten", std::string(100 * 1024, ' '));
    BOOST_TEST(big.status == 413, big.error);
    BOOST_TEST(first_code(big) == "message.too-large");
    std::string bad_bsn = example("verzuimmelding.json");
    bad_bsn.replace(bad_bsn.find("291417772"), 9, "291417773");
    bad_bsn.replace(bad_bsn.find("101222331"), 9, "101222332");
    HttpReply none = gw.as("school-12AB", http::verb::post, "/v1/berichten", bad_bsn);
    BOOST_TEST(none.status == 400);
    BOOST_TEST(none.body.find("bsn.checksum") != std::string::npos);
    BOOST_TEST(none.body.find("onderwijsnummer.checksum") != std::string::npos);
    BOOST_TEST(none.body.find("291417773") == std::string::npos);  // no personal data in errors
    HttpReply xxe = gw.as("school-12AB", http::verb::post, "/v1/berichten",
                          "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><bericht>&e;</bericht>", "application/xml");
    BOOST_TEST(xxe.status == 400);
    BOOST_TEST(xxe.body.find("root:") == std::string::npos);
    // Nothing of these reached any caseload.
    HttpReply ams = gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload");
    BOOST_TEST(parse(ams.body)["items"].Size() == 0u);
    // The server is unharmed.
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.xml"), "application/xml").status == 202);
}

BOOST_AUTO_TEST_CASE(the_hostile_set_leaves_the_server_unharmed) {
    Gateway gw;
    test::TlsClient c(gw.port, "school-12AB", test::dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(test::source_dir() / "tests/vectors/hostile")) {
        const auto ext = e.path().extension();
        if (ext != ".json" && ext != ".xml") continue;
        HttpReply r = c.request(http::verb::post, "/v1/berichten", test::slurp(e.path()), ext == ".xml" ? "application/xml" : "application/json");
        BOOST_TEST((r.status == 400), e.path().filename() << ": " << r.status);
        BOOST_TEST(r.body.find("root:") == std::string::npos);
        ++n;
    }
    BOOST_TEST(n >= 16u);
    BOOST_TEST(c.request(http::verb::post, "/v1/berichten", example("verzuimmelding.xml"), "application/xml").status == 202);
    BOOST_TEST(parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload").body)["items"].Size() == 2u);
}

BOOST_AUTO_TEST_CASE(large_messages_stream_into_the_store_all_or_nothing) {
    Gateway gw([](Config& c) { c.bulk_threshold_bytes = 1; });  // every message takes the streaming path
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).status == 202);
    const std::string xml = renumbered(example("verzuimmelding.xml"), "X2");
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", xml, "application/xml").status == 202);
    // Partly refused: the good record is stored, the receipt lists the other.
    std::string half = renumbered(example("verzuimmelding.json"), "X3");
    half.replace(half.find("291417772"), 9, "291417773");
    HttpReply partial = gw.as("school-12AB", http::verb::post, "/v1/berichten", half);
    BOOST_TEST(partial.status == 202);
    BOOST_TEST(parse(partial.body)["rejected"].Size() == 1u);
    // A fault found after records were streamed (truncated document) rolls all of them back.
    std::string body = verzuim("BULK-1", "M-1");
    body.insert(body.size() - 2, "," + body.substr(body.find("{\"meldingId\""), body.size() - 2 - body.find("{\"meldingId\"")));
    body.resize(body.size() - 1);
    HttpReply truncated = gw.as("school-12AB", http::verb::post, "/v1/berichten", body);
    BOOST_TEST(truncated.status == 400);
    // Intrekking through the streaming path still checks the store.
    BOOST_TEST(first_code(gw.as("school-34CD", http::verb::post, "/v1/berichten", example("intrekking.json"))) == "withdrawal.not-owner");
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("intrekking.json")).status == 202);
    const auto items = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload?limit=50").body);
    // 2 + 2 + 1 stored, one of them withdrawn; nothing of BULK-1.
    BOOST_TEST(items["items"].Size() == 4u);
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload").body.find("BULK-1") == std::string::npos);
    BOOST_TEST(gw.audit_entries().size() == 8u);  // every request audited, the refused ones too
}

BOOST_AUTO_TEST_CASE(partial_acceptance_lists_the_rejected_records) {
    Gateway gw;
    std::string body = example("verzuimmelding.json");
    body.replace(body.find("291417772"), 9, "291417773");
    HttpReply r = gw.as("school-12AB", http::verb::post, "/v1/berichten", body);
    BOOST_TEST(r.status == 202);
    auto d = parse(r.body);
    BOOST_TEST(d["accepted"].GetInt() == 1);
    BOOST_REQUIRE(d["rejected"].Size() == 1u);
    BOOST_TEST(std::string(d["rejected"][0]["meldingId"].GetString()) == "VZ-2026-0001");
    BOOST_TEST(std::string(d["rejected"][0]["errors"][0]["code"].GetString()) == "bsn.checksum");
}

BOOST_AUTO_TEST_CASE(validate_checks_and_stores_nothing) {
    Gateway gw;
    HttpReply ok = gw.as("coordinator-amsterdam", http::verb::post, "/v1/validate", example("vsv-melding.json"));
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(parse(ok.body)["valid"].GetBool() == false);  // a coordinator may not send: role refused
    HttpReply duo = gw.as("duo", http::verb::post, "/v1/validate", example("vsv-melding.xml"), "application/xml");
    BOOST_TEST(parse(duo.body)["valid"].GetBool() == true);
    HttpReply rij = gw.as("coordinator-rijnmond", http::verb::get, "/v1/caseload");
    BOOST_TEST(parse(rij.body)["items"].Size() == 0u);
    BOOST_TEST(gw.audit_entries().size() == 3u);
}

BOOST_AUTO_TEST_CASE(caseload_pages_newest_first_with_a_stable_cursor) {
    Gateway gw;
    for (int i = 0; i < 5; ++i)
        BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("B-" + std::to_string(i), "M-" + std::to_string(i))).status ==
                      202);
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("B-R", "M-R", "0599")).status == 202);
    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
        HttpReply r = gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
        BOOST_REQUIRE(r.status == 200);
        auto d = parse(r.body);
        for (const auto& item : d["items"].GetArray()) seen.push_back(item["meldingId"].GetString());
        if (page == 0) {
            // A record arriving between pages does not shift the pages.
            BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("B-new", "M-new")).status == 202);
        }
        if (d["nextCursor"].IsNull()) break;
        cursor = d["nextCursor"].GetString();
    }
    BOOST_TEST((seen == std::vector<std::string>{"M-4", "M-3", "M-2", "M-1", "M-0"}));
    HttpReply filtered = gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload?berichttype=vsv-melding");
    BOOST_TEST(parse(filtered.body)["items"].Size() == 0u);
    HttpReply gemeente = gw.as("coordinator-rijnmond", http::verb::get, "/v1/caseload?gemeente=0599&status=geregistreerd&since=2020-01-01");
    BOOST_TEST(parse(gemeente.body)["items"].Size() == 1u);
    for (const char* bad : {"?limit=0", "?limit=abc", "?cursor=zzz", "?berichttype=x", "?since=gisteren", "?bsn=291417772", "?gemeente=1"}) {
        HttpReply r = gw.as("coordinator-amsterdam", http::verb::get, std::string("/v1/caseload") + bad);
        BOOST_TEST(r.status == 400, bad);
        BOOST_TEST(r.headers["Content-Type"] == "application/problem+json");
    }
}

BOOST_AUTO_TEST_CASE(intrekking_by_the_original_sender_only) {
    Gateway gw;
    HttpReply push = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_REQUIRE(push.status == 202);
    const std::string withdrawn_id = parse(push.body)["records"][1]["id"].GetString();  // VZ-2026-0002, withdrawn below
    HttpReply other = gw.as("school-34CD", http::verb::post, "/v1/berichten", example("intrekking.json"));
    BOOST_TEST(other.status == 400);
    BOOST_TEST(first_code(other) == "withdrawal.not-owner");
    std::string unknown = example("intrekking.json");
    unknown.replace(unknown.find("VZ-2026-0002"), 12, "VZ-2026-0099");
    BOOST_TEST(first_code(gw.as("school-12AB", http::verb::post, "/v1/berichten", unknown)) == "withdrawal.unknown");
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);

    HttpReply own = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("intrekking.xml"), "application/xml");
    BOOST_TEST(own.status == 202);
    BOOST_TEST((caseload_meldingen(gw, "coordinator-amsterdam") == std::vector<std::string>{"VZ-2026-0001/geregistreerd"}));
    std::string again = example("intrekking.json");
    again.replace(again.find("12AB-20261126-0001"), 18, "12AB-20261126-0002");
    BOOST_TEST(first_code(gw.as("school-12AB", http::verb::post, "/v1/berichten", again)) == "withdrawal.unknown");
    // The tombstone stays, with its history but without what was sent; the audit entry names the
    // pupil by pseudonym.
    const auto tombstone = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + withdrawn_id).body);
    BOOST_REQUIRE(tombstone.IsObject() && tombstone.HasMember("record"));
    BOOST_TEST(std::string(tombstone["record"]["status"].GetString()) == "ingetrokken");
    BOOST_TEST(!tombstone["record"]["active"].GetBool());
    BOOST_TEST(tombstone["record"]["melding"].IsNull());
    BOOST_REQUIRE(tombstone["history"].Size() == 1u);
    BOOST_TEST(std::string(tombstone["history"][0]["event"].GetString()) == "withdrawn");
    BOOST_TEST(gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + withdrawn_id).status == 404);
    auto audit = gw.audit_entries();
    bool withdrawal_audited = false;
    for (const auto& e : audit)
        if (e.find("\"berichttype\":\"intrekking\"") != std::string::npos && e.find("\"status\":202") != std::string::npos)
            withdrawal_audited = parse(e)["subjects"].Size() == 1u && e.find("Leerplichtwet") != std::string::npos;
    BOOST_TEST(withdrawal_audited);
}

BOOST_AUTO_TEST_CASE(verhuizing_moves_the_pupils_records_to_the_new_region) {
    Gateway gw;
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).status == 202);
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);
    BOOST_TEST(caseload_meldingen(gw, "coordinator-rijnmond").empty());
    HttpReply move = gw.as("gemeente-0599", http::verb::post, "/v1/berichten", example("verhuizing.json"));
    BOOST_TEST(move.status == 202);
    BOOST_TEST(std::string(parse(move.body)["records"][0]["region"].GetString()) == "91");
    // Only the moved pupil (bsn 291417772, VZ-2026-0001) leaves Amsterdam; the other stays.
    BOOST_TEST((caseload_meldingen(gw, "coordinator-amsterdam") == std::vector<std::string>{"VZ-2026-0002/geregistreerd"}));
    BOOST_TEST((caseload_meldingen(gw, "coordinator-rijnmond") == std::vector<std::string>{"MV-0001/geregistreerd", "VZ-2026-0001/geregistreerd"}));
    HttpReply r = gw.as("coordinator-rijnmond", http::verb::get, "/v1/caseload?gemeente=0599&berichttype=verzuimmelding");
    BOOST_TEST(parse(r.body)["items"].Size() == 1u);
}

// A gemeente cannot pull a pupil's records by naming a BSN: the records must be in oudeGemeente.
BOOST_AUTO_TEST_CASE(a_verhuizing_moves_only_records_in_the_old_gemeente) {
    Gateway gw;
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).status == 202);
    std::string wrong = example("verhuizing.json");
    wrong.replace(wrong.find("\"oudeGemeente\": \"0363\""), 22, "\"oudeGemeente\": \"0606\"");
    HttpReply pulled = gw.as("gemeente-0599", http::verb::post, "/v1/berichten", wrong);
    BOOST_TEST(pulled.status == 400);
    BOOST_TEST(first_code(pulled) == "verhuizing.not-found");
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);  // nothing moved
    BOOST_TEST(caseload_meldingen(gw, "coordinator-rijnmond").empty());
    // A pupil with no record anywhere: nothing to move either.
    std::string unknown = example("verhuizing.json");
    unknown.replace(unknown.find("291417772"), 9, "111222333");
    BOOST_TEST(first_code(gw.as("gemeente-0599", http::verb::post, "/v1/berichten", unknown)) == "verhuizing.not-found");
    BOOST_TEST(gw.as("gemeente-0599", http::verb::post, "/v1/berichten", example("verhuizing.json")).status == 202);
    BOOST_TEST((caseload_meldingen(gw, "coordinator-amsterdam") == std::vector<std::string>{"VZ-2026-0002/geregistreerd"}));
}

BOOST_AUTO_TEST_CASE(trajectmelding_sets_the_status_of_the_pupils_records) {
    Gateway gw;
    HttpReply push = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_REQUIRE(push.status == 202);
    const std::string other_pupil = parse(push.body)["records"][1]["id"].GetString();  // VZ-2026-0002, onderwijsnummer
    BOOST_TEST(gw.as("gemeente-0363", http::verb::post, "/v1/berichten", example("trajectmelding.json")).status == 202);
    BOOST_TEST(
        (caseload_meldingen(gw, "coordinator-amsterdam", "?status=in-behandeling") == std::vector<std::string>{"VZ-2026-0001/in-behandeling"}));
    // A betreft naming another pupil's record is refused: an id alone reaches nothing.
    std::string wrong = example("trajectmelding.json");
    wrong.replace(wrong.find("GM0363-T-0001"), 13, "GM0363-T-0002");
    wrong.replace(wrong.find("\"status\""), 0, "\"betreft\": \"" + other_pupil + "\", ");
    HttpReply r = gw.as("gemeente-0363", http::verb::post, "/v1/berichten", wrong);
    BOOST_TEST(r.status == 400);
    BOOST_TEST(first_code(r) == "message.schema");
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam", "?status=geregistreerd").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_resent_message_gets_its_original_receipt_and_other_content_409) {
    for (std::size_t threshold : {std::size_t(1) << 20, std::size_t(1)}) {  // group commit and streaming paths
        BOOST_TEST_CONTEXT("bulk threshold " << threshold) {
            Gateway gw([&](Config& c) { c.bulk_threshold_bytes = threshold; });
            HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
            BOOST_REQUIRE(first.status == 202);
            HttpReply replay = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
            BOOST_TEST(replay.status == 202);
            BOOST_TEST(replay.body == first.body);  // the same record ids: nothing stored twice
            BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);
            std::string other = example("verzuimmelding.json");
            other.replace(other.find("Ouders niet bereikbaar"), 6, "Vader");
            HttpReply conflict = gw.as("school-12AB", http::verb::post, "/v1/berichten", other);
            BOOST_TEST(conflict.status == 409);
            BOOST_TEST(first_code(conflict) == "message.duplicate-id");
            // Another sender may use the same berichtId: ids are unique per sender.
            std::string duo = example("vsv-melding.json");
            duo.replace(duo.find("DUO-VSV-202611-000001"), 21, "12AB-20261123-0001");
            BOOST_TEST(gw.as("duo", http::verb::post, "/v1/berichten", duo).status == 202);
            const auto audit = gw.audit_entries();
            BOOST_REQUIRE(audit.size() >= 4u);
            BOOST_TEST(std::string(parse(audit[1])["outcome"].GetString()) == "replayed");
            BOOST_TEST(parse(audit[3])["status"].GetInt() == 409);  // [2] is the caseload read
        }
    }
}

BOOST_AUTO_TEST_CASE(concurrent_replays_store_the_message_once) {
    Gateway gw;
    std::vector<std::thread> threads;
    std::vector<HttpReply> replies(8);
    for (std::size_t i = 0; i < replies.size(); ++i)
        threads.emplace_back([&, i] { replies[i] = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")); });
    for (auto& t : threads) t.join();
    for (const auto& r : replies) {
        BOOST_TEST(r.status == 202);
        BOOST_TEST(r.body == replies[0].body);
    }
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);
    BOOST_TEST(gw.audit_entries().size() == 9u);
}

BOOST_AUTO_TEST_CASE(an_outsider_verifies_heads_and_proofs_with_the_public_key_only) {
    Gateway gw;
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).status == 202);
    gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload");
    const auto keys = parse(gw.as("school-12AB", http::verb::get, "/v1/audit/keys").body);  // keys are public
    BOOST_REQUIRE(keys.IsObject());
    const std::string pem = keys["keys"][0]["publicKey"].GetString();
    const std::string key_id = keys["keys"][0]["keyId"].GetString();

    auto head_of = [&]() {
        auto h = parse(gw.as("auditor", http::verb::get, "/v1/audit/head").body);
        BOOST_REQUIRE(h.IsObject());
        return std::make_tuple(h["size"].GetUint64(), std::string(h["root"].GetString()), std::string(h["time"].GetString()),
                               std::string(h["signature"].GetString()), std::string(h["keyId"].GetString()));
    };
    const auto [size1, root1, time1, sig1, kid1] = head_of();
    BOOST_TEST(size1 == 4u);  // the gateway's start, the push, the caseload read, the keys read
    BOOST_TEST(kid1 == key_id);
    BOOST_TEST(verify_head_signature(pem, signed_head_text(size1, root1, time1), sig1));
    BOOST_TEST(!verify_head_signature(pem, signed_head_text(size1 + 1, root1, time1), sig1));

    BOOST_REQUIRE(gw.as("duo", http::verb::post, "/v1/berichten", example("vsv-melding.json")).status == 202);
    const auto [size2, root2, time2, sig2, kid2] = head_of();
    BOOST_TEST(size2 == 6u);  // + the first head read and the vsv push
    BOOST_TEST(verify_head_signature(pem, signed_head_text(size2, root2, time2), sig2));

    // Every entry: recompute its leaf from the entry text and check its inclusion in head 2.
    const auto entries = parse(gw.as("auditor", http::verb::get, "/v1/audit/entries?from=0&limit=100").body);
    BOOST_REQUIRE(entries.IsArray());
    BOOST_REQUIRE(entries.Size() >= size2);
    merkle::Hash root{};
    BOOST_REQUIRE(merkle::from_hex(root2, root));
    for (std::uint64_t i = 0; i < size2; ++i) {
        const std::string entry = entries[static_cast<rapidjson::SizeType>(i)]["entry"].GetString();
        BOOST_TEST(entry.find("291417772") == std::string::npos);  // pseudonyms only
        BOOST_TEST(entry.find("011524492") == std::string::npos);
        const merkle::Hash leaf = merkle::leaf_hash(entry);
        BOOST_TEST(merkle::hex(leaf) == entries[static_cast<rapidjson::SizeType>(i)]["leafHash"].GetString());
        const auto p =
            parse(gw.as("auditor", http::verb::get, "/v1/audit/proof/inclusion?index=" + std::to_string(i) + "&size=" + std::to_string(size2)).body);
        std::vector<merkle::Hash> proof;
        for (const auto& h : p["proof"].GetArray()) {
            merkle::Hash x{};
            BOOST_REQUIRE(merkle::from_hex(h.GetString(), x));
            proof.push_back(x);
        }
        BOOST_TEST(merkle::verify_inclusion(i, size2, leaf, proof, root), "index " << i);
    }
    // Head 2 extends head 1: the log was only appended to.
    const auto c =
        parse(gw.as("auditor", http::verb::get, "/v1/audit/proof/consistency?from=" + std::to_string(size1) + "&to=" + std::to_string(size2)).body);
    std::vector<merkle::Hash> cproof;
    for (const auto& h : c["proof"].GetArray()) {
        merkle::Hash x{};
        merkle::from_hex(h.GetString(), x);
        cproof.push_back(x);
    }
    merkle::Hash r1{};
    merkle::from_hex(root1, r1);
    BOOST_TEST(merkle::verify_consistency(size1, size2, r1, root, cproof));

    // The pupil's access request: every entry about BSN 291417772, found by its pseudonym.
    HttpReply report = gw.as("auditor", http::verb::post, "/v1/audit/subject-report", R"({"bsn":"291417772"})");
    BOOST_TEST(report.status == 200);
    const auto rep = parse(report.body);
    BOOST_TEST(rep["entries"].Size() == 2u);  // the push and the coordinator's read
    BOOST_TEST(report.body.find("291417772") == std::string::npos);
    BOOST_TEST(gw.as("auditor", http::verb::post, "/v1/audit/subject-report", R"({"bsn":"291417773"})").status == 400);
    // Only auditors read the log.
    for (const char* party : {"coordinator-amsterdam", "school-12AB", "duo"}) {
        BOOST_TEST(gw.as(party, http::verb::get, "/v1/audit/head").status == 403);
        BOOST_TEST(gw.as(party, http::verb::post, "/v1/audit/subject-report", R"({"bsn":"291417772"})").status == 403);
    }
    BOOST_TEST(gw.as("auditor", http::verb::get, "/v1/audit/proof/inclusion?index=5&size=2").status == 400);
    BOOST_TEST(gw.as("auditor", http::verb::get, "/v1/audit/entries?limit=0").status == 400);
    const auto filtered = parse(gw.as("auditor", http::verb::get, "/v1/audit/entries?party=00000099000000000100").body);
    BOOST_TEST(filtered.Size() == 3u);  // duo: its push and its two refused audit reads
}

BOOST_AUTO_TEST_CASE(coordinators_count_open_and_find_records_of_their_own_region_only) {
    Gateway gw;
    HttpReply push = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    BOOST_REQUIRE(push.status == 202);
    const std::string moved_id = parse(push.body)["records"][0]["id"].GetString();                              // bsn 291417772, 0363
    const std::string stays_id = parse(push.body)["records"][1]["id"].GetString();                              // onderwijsnummer, 0384
    BOOST_REQUIRE(gw.as("duo", http::verb::post, "/v1/berichten", example("vsv-melding.json")).status == 202);  // 0599

    const auto sum = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload/summary").body);
    BOOST_TEST(std::string(sum["region"].GetString()) == "90");
    BOOST_TEST(sum["counts"].Size() == 2u);  // verzuimmelding in 0363 and in 0384
    for (const auto& c : sum["counts"].GetArray()) BOOST_TEST(c["count"].GetUint() == 1u);
    const auto rsum = parse(gw.as("coordinator-rijnmond", http::verb::get, "/v1/caseload/summary").body);
    BOOST_REQUIRE(rsum["counts"].Size() == 1u);
    BOOST_TEST(std::string(rsum["counts"][0]["berichttype"].GetString()) == "vsv-melding");

    HttpReply own = gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + moved_id);
    BOOST_TEST(own.status == 200);
    BOOST_TEST(std::string(parse(own.body)["record"]["meldingId"].GetString()) == "VZ-2026-0001");
    // Another region's record is indistinguishable from one that does not exist.
    HttpReply other = gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + moved_id);
    HttpReply missing = gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + std::string(32, 'a'));
    BOOST_TEST(other.status == 404);
    BOOST_TEST(other.body == missing.body);
    BOOST_TEST(gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/not-an-id").status == 404);
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/records/" + moved_id).status == 403);

    // After the move the record is Rijnmond's, with the move in its history, and gone from Amsterdam.
    BOOST_REQUIRE(gw.as("gemeente-0599", http::verb::post, "/v1/berichten", example("verhuizing.json")).status == 202);
    // Amsterdam keeps a notice under the id: verhuisd, the new region, no content.
    HttpReply notice = gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + moved_id);
    BOOST_REQUIRE(notice.status == 200);
    const auto n = parse(notice.body);
    BOOST_TEST(std::string(n["record"]["status"].GetString()) == "verhuisd");
    BOOST_TEST(n["record"]["active"].GetBool() == false);
    BOOST_TEST(n["record"]["melding"].IsNull());
    BOOST_TEST(notice.body.find("291417772") == std::string::npos);
    BOOST_REQUIRE(n["history"].Size() == 1u);
    BOOST_TEST(std::string(n["history"][0]["detail"]["toRegion"].GetString()) == "91");
    const auto moved = parse(gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + moved_id).body);
    BOOST_REQUIRE(moved.IsObject());
    BOOST_REQUIRE(moved["history"].Size() == 1u);
    BOOST_TEST(std::string(moved["history"][0]["event"].GetString()) == "moved");
    BOOST_TEST(std::string(moved["history"][0]["detail"]["fromRegion"].GetString()) == "90");
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + stays_id).status == 200);

    // Search by BSN in the body; each region finds only its own.
    const auto found = parse(gw.as("coordinator-rijnmond", http::verb::post, "/v1/records/search", R"({"bsn":"291417772"})").body);
    BOOST_TEST(found["items"].Size() == 2u);  // the moved verzuimmelding and the verhuizing
    BOOST_TEST(parse(gw.as("coordinator-amsterdam", http::verb::post, "/v1/records/search", R"({"bsn":"291417772"})").body)["items"].Size() == 0u);
    BOOST_TEST(
        parse(gw.as("coordinator-amsterdam", http::verb::post, "/v1/records/search", R"({"onderwijsnummer":"101222331"})").body)["items"].Size() ==
        1u);
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::post, "/v1/records/search", R"({"bsn":"291417773"})").status == 400);
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::post, "/v1/records/search", R"({"bsn":"291417772","naam":"x"})").status == 400);
    // Every read is audited, with the records and pupils it showed, never the number.
    for (const auto& e : gw.audit_entries()) BOOST_TEST(e.find("291417772") == std::string::npos);
}

namespace {

// The routes of the contract: the HTTPS API table of ../shared/spec/interface.md ("| `GET /v1/…` |"),
// query strings dropped, "a · …/b" rows split.
std::set<std::string> contract_routes() {
    std::istringstream in(slurp(source_dir().parent_path() / "shared/spec/interface.md"));
    std::set<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (!line.starts_with("| `GET ") && !line.starts_with("| `POST ")) continue;
        std::string cell = line.substr(2, line.find(" |", 2) - 2);  // the first column, e.g. "`GET /a?x=` · `…/b`"
        std::erase(cell, '`');
        const std::string method = cell.substr(0, cell.find(' '));
        std::string rest = cell.substr(method.size() + 1), previous;
        for (std::size_t at = 0; at != std::string::npos;) {
            const auto dot = rest.find(" \xC2\xB7 ", at);  // " · "
            std::string path = rest.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
            path = path.substr(0, path.find('?'));
            if (path.starts_with("\xE2\x80\xA6/")) path = previous.substr(0, previous.rfind('/')) + path.substr(3);  // "…/x"
            out.insert(method + " " + path);
            previous = path;
            at = dot == std::string::npos ? dot : dot + 4;
        }
    }
    return out;
}

}  // namespace

// The OpenAPI document served, the routes the server answers and the contract's route table agree.
BOOST_AUTO_TEST_CASE(the_openapi_document_matches_the_contract) {
    Gateway gw;
    HttpReply r = gw.as("school-12AB", http::verb::get, "/v1/openapi.json");
    BOOST_REQUIRE(r.status == 200);
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/openapi.json").body == r.body);  // the alias
    BOOST_TEST(gw.admin_get("/v1/openapi.json") == "200 " + r.body);                    // and without a certificate
    const auto doc = parse(r.body);
    BOOST_REQUIRE(doc.IsObject());
    BOOST_TEST(std::string(doc["openapi"].GetString()).rfind("3.", 0) == 0u);
    // The paths are relative to the server URL, which names the major version (ADR
    // /core/uri-version); the alias and the UI's files are beside the API and not in it.
    BOOST_REQUIRE(doc["servers"].Size() >= 1u);
    const std::string server = doc["servers"][0]["url"].GetString();
    BOOST_TEST(server.substr(server.size() - 3) == "/v1");
    BOOST_TEST(doc["info"]["version"].GetString() == r.headers["API-Version"]);
    std::set<std::string> documented, served, api;
    for (const auto& p : doc["paths"].GetObject())
        for (const auto& m : p.value.GetObject()) {
            std::string method = m.name.GetString();
            for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            documented.insert(method + " /v1" + p.name.GetString());
        }
    for (const auto& route : Api::routes()) {
        const std::string s = std::string(http::to_string(route.method)) + " " + route.path;
        served.insert(s);
        if (route.path.starts_with("/v1/")) api.insert(s);
    }
    for (const auto& d : documented) BOOST_TEST(api.count(d) == 1u, "documented but not served: " << d);
    for (const auto& s : api) BOOST_TEST(documented.count(s) == 1u, "served but not documented: " << s);
    // Against the contract: nothing served that it does not name (but the UI and the alias), and
    // every route it names served, except those whose issues are still open (they leave this list
    // as they land).
    const std::set<std::string> contract = contract_routes();
    BOOST_REQUIRE(contract.size() >= 20u);
    const std::set<std::string> beside_the_contract = {"GET /openapi.json", "GET /ui/", "GET /ui/{file}"};
    const std::set<std::string> not_yet = {};
    for (const auto& s : served) BOOST_TEST((contract.count(s) == 1u || beside_the_contract.count(s) == 1u), "served but not in the contract: " << s);
    for (const auto& c : contract) BOOST_TEST((served.count(c) == 1u || not_yet.count(c) == 1u), "in the contract but not served: " << c);
    for (const auto& n : not_yet) BOOST_TEST(served.count(n) == 0u, n << " is served now: take it off the not-yet list");
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection) {
    Gateway gw;
    test::TlsClient c(gw.port, "school-12AB", test::dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    for (int i = 0; i < 20; ++i) {
        HttpReply r = c.request(http::verb::post, "/v1/berichten", verzuim("KA-" + std::to_string(i), "M-" + std::to_string(i)));
        BOOST_REQUIRE(r.status == 202);
    }
    BOOST_TEST(c.request(http::verb::get, "/v1/caseload").status == 403);
}

BOOST_AUTO_TEST_CASE(admin_listener_health_readiness_metrics) {
    Gateway gw;
    gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    gw.as("", http::verb::get, "/v1/caseload");
    BOOST_TEST(gw.admin_get("/healthz").rfind("200", 0) == 0u);
    BOOST_TEST(gw.admin_get("/readyz").rfind("200", 0) == 0u);
    const std::string m = gw.admin_get("/metrics");
    BOOST_TEST(m.find("dg_requests_total{route=\"berichten\",status=\"202\"} 1") != std::string::npos);
    BOOST_TEST(m.find("dg_records_total{berichttype=\"verzuimmelding\",outcome=\"accepted\"} 2") != std::string::npos);
    BOOST_TEST(m.find("dg_tls_handshake_failures_total") != std::string::npos);
    BOOST_TEST(m.find("dg_request_duration_seconds_bucket") != std::string::npos);
    BOOST_TEST(m.find("291417772") == std::string::npos);
    BOOST_TEST(gw.admin_get("/nope").rfind("404", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(reload_takes_a_valid_registry_and_refuses_a_bad_one) {
    test::TempDir dir;
    const auto parties = dir.path / "parties.json";
    std::string text = test::slurp(test::source_dir() / "policies/parties-dev.json");
    test::write(parties, text);
    Gateway gw([&](Config& c) { c.parties = parties; });
    BOOST_TEST(gw.as("stranger", http::verb::get, "/v1/caseload").status == 403);
    // Register the stranger as a coordinator of Rijnmond.
    const std::string entry = R"({ "oin": "00000099000000000999", "name": "stranger", "role": "coordinator", "gemeente": "0599" },)";
    text.insert(text.find("{ \"oin\""), entry + "\n    ");
    test::write(parties, text);
    BOOST_TEST(gw.service->reload());
    BOOST_TEST(gw.as("stranger", http::verb::get, "/v1/caseload").status == 200);
    test::write(parties, "{ not json");
    BOOST_TEST(!gw.service->reload());
    BOOST_TEST(gw.as("stranger", http::verb::get, "/v1/caseload").status == 200);  // old registry stays
}

BOOST_AUTO_TEST_CASE(connection_limit_refuses_extra_connections) {
    Gateway gw([](Config& c) { c.limits.max_connections = 1; });
    test::TlsClient first(gw.port, "school-12AB", test::dev_certs_dir());
    BOOST_REQUIRE(first.connect());
    HttpReply second = gw.as("school-12AB", http::verb::get, "/v1/caseload");
    BOOST_TEST(!second.answered);
    BOOST_TEST(first.request(http::verb::get, "/v1/caseload").status == 403);
}

BOOST_AUTO_TEST_CASE(a_slow_client_is_cut_off) {
    Gateway gw([](Config& c) { c.limits.read_timeout = std::chrono::milliseconds(300); });
    test::TlsClient c(gw.port, "school-12AB", test::dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    HttpReply r = c.request(http::verb::get, "/v1/caseload");
    BOOST_TEST(!r.answered);
}

BOOST_AUTO_TEST_CASE(a_revoked_certificate_never_reaches_http) {
    Gateway gw;
    HttpReply r = gw.as("revoked", http::verb::get, "/v1/caseload");  // a dev-CA certificate with a registered OIN, in the CRL
    BOOST_TEST(!r.answered);
    BOOST_TEST(gw.audit_entries().empty());
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("CRL-1", "M-1")).status == 202);
}

// SIGHUP takes a new CRL (and certificates and CA): a certificate revoked meanwhile gets no new
// connection, connections already open stay up, and a CRL that has expired is refused.
BOOST_AUTO_TEST_CASE(a_reload_takes_a_new_crl_without_dropping_connections) {
    test::TempDir dir;
    const auto certs = test::dev_certs_dir();
    const auto cnf = copy_dev_ca(dir);
    const auto crl = dir.path / "crl.pem";
    std::filesystem::copy_file(certs / "crl.pem", crl);
    Gateway gw([&](Config& c) { c.tls.crl = crl; });

    test::TlsClient open(gw.port, "school-34CD", certs);
    BOOST_REQUIRE(open.connect());
    const std::string revoke = "openssl ca -config " + cnf.string() + " -revoke " + (certs / "school-34CD.crt").string() +
                               " >/dev/null 2>&1 && openssl ca -config " + cnf.string() + " -gencrl -out " + crl.string() + " >/dev/null 2>&1";
    BOOST_REQUIRE(std::system(revoke.c_str()) == 0);
    BOOST_TEST(gw.service->reload());
    BOOST_TEST(!gw.as("school-34CD", http::verb::get, "/v1/me").answered);  // revoked now: no new connection
    BOOST_TEST(open.request(http::verb::get, "/v1/me").status == 200);      // the open one stays up
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/me").status == 200);

    const std::string expired = "openssl ca -config " + cnf.string() + " -gencrl -crlsec 1 -out " + crl.string() + " >/dev/null 2>&1";
    BOOST_REQUIRE(std::system(expired.c_str()) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // past its nextUpdate (a second after it was made)
    BOOST_TEST(!gw.service->reload());                             // refused: it would lock every client out
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/me").status == 200);
    BOOST_TEST(!gw.as("school-34CD", http::verb::get, "/v1/me").answered);  // the previous CRL stays in force
}

// SIGHUP takes a renewed server certificate: new connections get it, an open one keeps going on
// the certificate it began with.
BOOST_AUTO_TEST_CASE(a_reload_takes_a_new_server_certificate_without_dropping_connections) {
    test::TempDir dir;
    const auto certs = test::dev_certs_dir();
    for (const char* f : {"server.crt", "server.key"}) std::filesystem::copy_file(certs / f, dir.path / f);
    Gateway gw([&](Config& c) {
        c.tls.certificate = dir.path / "server.crt";
        c.tls.private_key = dir.path / "server.key";
    });
    test::TlsClient open(gw.port, "school-12AB", certs);
    BOOST_REQUIRE(open.connect());
    const std::string before = open.server_certificate_serial();
    test::write(dir.path / "server.ext",
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
    const std::string renew = "cd " + dir.path.string() +
                              " && openssl req -new -key server.key -subj /CN=localhost -out server.csr 2>/dev/null"
                              " && openssl x509 -req -in server.csr -CA " +
                              (certs / "ca.pem").string() + " -CAkey " + (certs / "ca.key").string() +
                              " -set_serial 0x5EED4242 -days 30 -sha256 -extfile server.ext -out server.crt 2>/dev/null";
    BOOST_REQUIRE(std::system(renew.c_str()) == 0);
    BOOST_TEST(gw.service->reload());
    test::TlsClient fresh(gw.port, "school-12AB", certs);
    BOOST_REQUIRE(fresh.connect());
    BOOST_TEST(fresh.server_certificate_serial() == "5EED4242");
    BOOST_TEST(open.server_certificate_serial() == before);
    BOOST_TEST(before != "5EED4242");
    BOOST_TEST(open.request(http::verb::get, "/v1/me").status == 200);  // still up
    BOOST_TEST(fresh.request(http::verb::get, "/v1/me").status == 200);
}

BOOST_AUTO_TEST_CASE(a_party_over_its_rate_gets_429_and_the_others_are_served) {
    Gateway gw([](Config& c) {
        c.party_rate = 2;
        c.party_burst = 5;
    });
    test::TlsClient flood(gw.port, "school-12AB", test::dev_certs_dir());
    BOOST_REQUIRE(flood.connect());
    int ok = 0, limited = 0;
    std::string retry_after;
    for (int i = 0; i < 12; ++i) {
        HttpReply r = flood.request(http::verb::post, "/v1/berichten", verzuim("RL-" + std::to_string(i), "M-" + std::to_string(i)));
        if (r.status == 202) ++ok;
        if (r.status == 429) {
            ++limited;
            retry_after = r.headers["Retry-After"];
            BOOST_TEST(first_code(r) == "sender.rate-limited");
        }
    }
    BOOST_TEST(ok >= 5);
    BOOST_TEST(ok <= 7);  // the burst, and what the rate refilled meanwhile
    BOOST_TEST(limited == 12 - ok);
    BOOST_TEST(!retry_after.empty());
    BOOST_TEST(std::stoi(retry_after) >= 1);
    // Another party is not held back by the first one's flood.
    for (int i = 0; i < 4; ++i) BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload").status == 200);
    // Refusals are audited too, and counted.
    int audited = 0;
    for (const auto& e : gw.audit_entries()) audited += e.find("sender.rate-limited") != std::string::npos;
    BOOST_TEST(audited == limited);
    BOOST_TEST(gw.admin_get("/metrics").find("dg_rate_limited_total " + std::to_string(limited)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(large_bodies_beyond_the_limit_are_refused_before_they_are_read) {
    Gateway gw([](Config& c) {
        c.limits.max_large_bodies = 1;
        c.limits.large_body_bytes = 2000;
    });
    // One large body in progress, sent slowly: it holds the only slot.
    test::TlsClient slow(gw.port, "duo", test::dev_certs_dir());
    BOOST_REQUIRE(slow.connect());
    std::string big = verzuim("BIG-1", "M-1");
    big.insert(big.size() - 2, std::string(3000, ' '));  // whitespace: still the same valid message
    BOOST_REQUIRE(slow.send_raw("POST /v1/berichten HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(big.size()) + "\r\n\r\n" + big.substr(0, 100)));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    HttpReply refused = gw.as("school-12AB", http::verb::post, "/v1/berichten", big);
    BOOST_TEST(refused.status == 503);
    BOOST_TEST(first_code(refused) == "server.busy");
    BOOST_TEST(refused.headers["Retry-After"] == "2");
    // Small requests go on meanwhile.
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("SMALL-1", "M-2")).status == 202);
    BOOST_REQUIRE(slow.send_raw(big.substr(100)));
    BOOST_TEST(slow.read_reply().status == 202);                                             // read to its end and answered
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", big).status == 202);  // the slot is free again
}

BOOST_AUTO_TEST_CASE(connections_per_client_are_capped) {
    Gateway gw([](Config& c) { c.limits.max_connections_per_client = 2; });
    auto a = std::make_unique<test::TlsClient>(gw.port, "school-12AB", test::dev_certs_dir());
    test::TlsClient b(gw.port, "school-34CD", test::dev_certs_dir());
    BOOST_REQUIRE(a->connect());
    BOOST_REQUIRE(b.connect());
    BOOST_TEST(!gw.as("auditor", http::verb::get, "/v1/me").answered);  // a third from the same address
    a.reset();
    bool served = false;
    for (int i = 0; i < 50 && !served; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        served = gw.as("auditor", http::verb::get, "/v1/me").status == 200;
    }
    BOOST_TEST(served);
}

// Slowloris: clients that send their header or body a byte at a time are cut off at the read
// timeout, and while they hang on, others are answered at once.
BOOST_AUTO_TEST_CASE(slow_clients_are_cut_off_and_others_are_served_meanwhile) {
    Gateway gw([](Config& c) { c.limits.read_timeout = std::chrono::milliseconds(1500); });
    std::vector<std::unique_ptr<test::TlsClient>> slow;
    for (int i = 0; i < 8; ++i) {
        slow.push_back(std::make_unique<test::TlsClient>(gw.port, "school-12AB", test::dev_certs_dir()));
        BOOST_REQUIRE(slow.back()->connect());
        BOOST_REQUIRE(slow.back()->send_raw(i % 2 ? "POST /v1/berichten HTTP/1.1\r\nHost: loc"
                                                  : "POST /v1/berichten HTTP/1.1\r\nHost: localhost\r\nContent-Length: 900\r\n\r\n{\"ber"));
    }
    for (int i = 0; i < 5; ++i) BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload").status == 200);
    // Keep trickling; the server still closes them once the request has taken too long.
    for (int step = 0; step < 10; ++step) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        for (auto& c : slow) c->send_raw("x");
    }
    for (auto& c : slow) BOOST_TEST(!c->read_reply().answered);
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
