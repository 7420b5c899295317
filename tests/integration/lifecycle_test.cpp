// The life of a melding after its first report (messages.md, verzuimmelding "Ongoing absence";
// interface.md GET /v1/meldingen): ongoing (lopend) verzuim, and senders reading back what became of
// what they sent. Against the real server on SQLite and (integration_server_postgres) PostgreSQL.
#include <boost/test/unit_test.hpp>

#include <set>
#include <tuple>

#include "core/dates.hpp"
#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

namespace {

const std::string kSchool = "00000099000000000201";

std::vector<std::string> melding_ids(const rapidjson::Document& d) {
    std::vector<std::string> out;
    if (d.IsObject() && d.HasMember("items"))
        for (const auto& i : d["items"].GetArray()) out.push_back(i["meldingId"].GetString());
    return out;
}

const rapidjson::Value* item(const rapidjson::Document& d, const std::string& melding_id) {
    for (const auto& i : d["items"].GetArray())
        if (i["meldingId"].GetString() == melding_id) return &i;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(langdurig_and_18_plus_verzuim_may_go_on_without_tot) {
    Gateway gw;
    const HttpReply json = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding-lopend.json"));
    BOOST_REQUIRE_MESSAGE(json.status == 202, json.body);
    std::string xml = example("verzuimmelding-lopend.xml");
    xml.replace(xml.find("12AB-20261124-0001"), 18, "12AB-20261124-0002");
    xml.replace(xml.find("VZ-2026-0003"), 12, "VZ-2026-0004");
    const HttpReply x = gw.as("school-12AB", http::verb::post, "/v1/berichten", xml, "application/xml");
    BOOST_REQUIRE_MESSAGE(x.status == 202, x.body);
    // Kept 5 years from its receipt while it has no end (messages.md, retention).
    const std::string id = parse(json.body)["records"][0]["id"].GetString();
    const auto rec = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + id).body);
    BOOST_TEST(rec["record"]["retentionUntil"].GetString() == add_years(today_utc(), 5).iso());
    BOOST_TEST(!rec["record"]["melding"]["verzuim"].HasMember("tot"));
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").size() == 2u);
    // 16-uur, luxe and overig still need tot; a lopend langdurig needs van > 28 days before verzondenOp.
    std::string zestien = verzuim("L-1", "L-M-1");
    const std::string tot = R"(,"tot":"2026-10-23")";
    zestien.replace(zestien.find(tot), tot.size(), "");
    const HttpReply no_end = gw.as("school-12AB", http::verb::post, "/v1/berichten", zestien);
    BOOST_TEST(no_end.status == 400);
    BOOST_TEST(no_end.body.find(R"("code":"message.schema","path":"/meldingen/0/verzuim/tot")") != std::string::npos, no_end.body);
    std::string kort = example("verzuimmelding-lopend.json");
    kort.replace(kort.find("12AB-20261124-0001"), 18, "12AB-20261124-0003");
    kort.replace(kort.find("VZ-2026-0003"), 12, "VZ-2026-0005");
    kort.replace(kort.find("2026-09-28"), 10, "2026-11-01");
    const HttpReply short_one = gw.as("school-12AB", http::verb::post, "/v1/berichten", kort);
    BOOST_TEST(short_one.status == 400);
    BOOST_TEST(first_code(short_one) == "verzuim.threshold");
}

BOOST_AUTO_TEST_CASE(a_sender_reads_back_what_became_of_its_meldingen) {
    Gateway gw;
    // The order the contract promises, newest first by (receivedAt, id), from the receipts themselves.
    std::vector<std::tuple<std::string, std::string, std::string>> sent;  // receivedAt, id, meldingId
    auto keep = [&](const HttpReply& r) {
        const auto d = parse(r.body);
        for (const auto& rec : d["records"].GetArray())
            sent.emplace_back(d["receivedAt"].GetString(), rec["id"].GetString(), rec["meldingId"].GetString());
    };
    for (int i = 1; i <= 3; ++i) {
        const HttpReply r = gw.as("school-12AB", http::verb::post, "/v1/berichten", verzuim("S-" + std::to_string(i), "S-M-" + std::to_string(i),
                                                                                         i == 3 ? "0384" : "0363"));
        BOOST_REQUIRE(r.status == 202);
        keep(r);
    }
    // Diemen's pupil: withdrawn by the school (via its supplier). Amsterdam's: the coordinator's traject.
    const std::string intrekking = R"({"berichtId":"S-W","berichttype":"intrekking","verzondenOp":"2026-11-24T09:00:00+01:00",)"
                                   R"("meldingen":[{"meldingId":"S-W-1","betreft":"S-M-3","reden":"foutief"}]})";
    TlsClient las(gw.port, "las-leverancier", dev_certs_dir());
    BOOST_REQUIRE(las.connect());
    const HttpReply w = las.request(http::verb::post, "/v1/berichten", intrekking, "application/json", {{"Namens", kSchool}});
    BOOST_REQUIRE(w.status == 202);
    keep(w);
    std::sort(sent.begin(), sent.end(), std::greater<>());
    std::vector<std::string> order;
    for (const auto& s : sent) order.push_back(std::get<2>(s));
    std::string traject = example("trajectmelding.json");
    traject.replace(traject.find(R"("status": "in-behandeling")"), 27, R"("status": "in-behandeling", "toelichting": "Gesprek met ouders op 1 december")");
    const HttpReply t = gw.as("coordinator-amsterdam", http::verb::post, "/v1/berichten", traject);
    BOOST_REQUIRE_MESSAGE(t.status == 202, t.body);

    const HttpReply r = gw.as("school-12AB", http::verb::get, "/v1/meldingen");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    const auto page = parse(r.body);
    // Newest first: the intrekking (a record the school sent, through its supplier), then its verzuimmeldingen.
    BOOST_TEST(melding_ids(page) == order);
    BOOST_TEST(order.front() == "S-W-1");
    BOOST_TEST(page["nextCursor"].IsNull());
    const auto* withdrawn = item(page, "S-M-3");
    BOOST_TEST((*withdrawn)["status"].GetString() == std::string("ingetrokken"));
    BOOST_TEST(!(*withdrawn)["active"].GetBool());
    const auto& wh = (*withdrawn)["history"];
    BOOST_REQUIRE(wh.Size() == 2u);
    BOOST_TEST(wh[0]["event"].GetString() == std::string("received"));
    BOOST_TEST(wh[0]["by"].GetString() == std::string("school"));
    BOOST_TEST(wh[1]["event"].GetString() == std::string("withdrawn"));
    BOOST_TEST(wh[1]["by"].GetString() == std::string("school"));
    BOOST_TEST(item(page, "S-W-1")->HasMember("intermediaryOin"));
    // Both Amsterdam records of the pupil got the coordinator's status; the school sees that and when,
    // not what the coordinator wrote.
    for (const char* m : {"S-M-1", "S-M-2"}) {
        const auto* it = item(page, m);
        BOOST_TEST((*it)["status"].GetString() == std::string("in-behandeling"), m);
        BOOST_TEST((*it)["active"].GetBool());
        const auto& h = (*it)["history"];
        BOOST_REQUIRE(h.Size() == 2u);
        BOOST_TEST(h[1]["event"].GetString() == std::string("status"));
        BOOST_TEST(h[1]["status"].GetString() == std::string("in-behandeling"));
        BOOST_TEST(h[1]["by"].GetString() == std::string("coordinator"));
    }
    BOOST_TEST(r.body.find("Gesprek") == std::string::npos);
    BOOST_TEST(r.body.find("291417772") == std::string::npos);
    BOOST_TEST(r.body.find("\"melding\"") == std::string::npos);  // no content at all
    // Audited, with the records shown.
    const auto entry = parse(gw.audit_entries().back());
    BOOST_TEST(entry["action"].GetString() == std::string("GET /v1/meldingen"));
    BOOST_TEST(entry["recordIds"].Size() == 4u);
    // Nobody else's: another school, the coordinator (only its trajectmelding), namens: the same list.
    BOOST_TEST(melding_ids(parse(gw.as("school-34CD", http::verb::get, "/v1/meldingen").body)).empty());
    BOOST_TEST(melding_ids(parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/meldingen").body)) ==
               std::vector<std::string>{"TR-0001"});
    const HttpReply namens = las.request(http::verb::get, "/v1/meldingen", {}, "application/json", {{"Namens", kSchool}});
    BOOST_TEST(melding_ids(parse(namens.body)) == melding_ids(page));
    BOOST_TEST(las.request(http::verb::get, "/v1/meldingen").status == 403);
    BOOST_TEST(gw.as("auditor", http::verb::get, "/v1/meldingen").status == 403);
    // Filters and paging.
    BOOST_TEST(melding_ids(parse(gw.as("school-12AB", http::verb::get, "/v1/meldingen?status=ingetrokken").body)) ==
               std::vector<std::string>{"S-M-3"});
    const auto first = parse(gw.as("school-12AB", http::verb::get, "/v1/meldingen?limit=3").body);
    BOOST_TEST(melding_ids(first) == std::vector<std::string>(order.begin(), order.begin() + 3));
    const std::string cursor = first["nextCursor"].GetString();
    const auto second = parse(gw.as("school-12AB", http::verb::get, "/v1/meldingen?limit=3&cursor=" + cursor).body);
    BOOST_TEST(melding_ids(second) == std::vector<std::string>{order.back()});
    BOOST_TEST(second["nextCursor"].IsNull());
    BOOST_TEST(melding_ids(parse(gw.as("school-12AB", http::verb::get, "/v1/meldingen?since=2999-01-01").body)).empty());
    for (const char* bad : {"limit=0", "limit=101", "status=weg", "cursor=m123", "since=gisteren", "bsn=291417772"}) {
        const HttpReply b = gw.as("school-12AB", http::verb::get, std::string("/v1/meldingen?") + bad);
        BOOST_TEST(b.status == 400, bad);
        BOOST_TEST(first_code(b) == "message.schema", bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rapportage)

// The numbers checked against what the test itself sent: per gemeente × berichttype × status (vsv
// also per hoogsteNiveau), within each reader's scope; CSV with the same numbers.
BOOST_AUTO_TEST_CASE(counts_per_gemeente_type_and_status_within_the_read_scope) {
    Gateway gw;
    // Amsterdam (bsn 291417772) and Diemen (onderwijsnummer) verzuim; a vsv-melding in Amsterdam.
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).status == 202);
    std::string vsv = example("vsv-melding.json");
    vsv.replace(vsv.find("\"0599\""), 6, "\"0363\"");
    BOOST_REQUIRE(gw.as("duo", http::verb::post, "/v1/berichten", vsv).status == 202);
    // Diemen's withdrawn; Amsterdam's closed by the coordinator (the vsv-melding of another pupil stays).
    const std::string intrekking = R"({"berichtId":"R-W","berichttype":"intrekking","verzondenOp":"2026-11-24T09:00:00+01:00",)"
                                   R"("meldingen":[{"meldingId":"R-W-1","betreft":"VZ-2026-0002","reden":"foutief"}]})";
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", intrekking).status == 202);
    std::string traject = example("trajectmelding.json");
    traject.replace(traject.find(R"("status": "in-behandeling")"), 27, R"("status": "afgesloten", "afsluitreden": "terug-naar-school")");
    const HttpReply t = gw.as("coordinator-amsterdam", http::verb::post, "/v1/berichten", traject);
    BOOST_REQUIRE_MESSAGE(t.status == 202, t.body);

    const std::string today = today_utc().iso();
    const std::string period = "/v1/caseload/rapportage?van=" + today + "&tot=" + today;
    auto rows_of = [&](const std::string& party) {
        std::set<std::string> out;  // "gemeente/type/status/detail: nieuw afgesloten actief"
        const auto d = parse(gw.as(party, http::verb::get, period).body);
        BOOST_REQUIRE(d.IsObject() && d.HasMember("rows"));
        for (const auto& r : d["rows"].GetArray())
            out.insert(std::string(r["gemeente"].GetString()) + "/" + r["berichttype"].GetString() + "/" + r["status"].GetString() + "/" +
                       (r.HasMember("hoogsteNiveau") ? r["hoogsteNiveau"].GetString() : "") + ": " + std::to_string(r["nieuw"].GetUint64()) +
                       " " + std::to_string(r["afgesloten"].GetUint64()) + " " + std::to_string(r["actief"].GetUint64()));
        return out;
    };
    BOOST_TEST(rows_of("coordinator-amsterdam") == (std::set<std::string>{"0363/verzuimmelding/afgesloten/: 1 1 1",
                                                                         "0384/verzuimmelding/ingetrokken/: 1 1 0",
                                                                         "0363/vsv-melding/geregistreerd/mbo-1: 1 0 1"}));
    // Amsterdam's leerplichtambtenaar: its residents, the types it reads (no vsv); Diemen its own.
    BOOST_TEST(rows_of("gemeente-0363") == std::set<std::string>{"0363/verzuimmelding/afgesloten/: 1 1 1"});
    BOOST_TEST(rows_of("gemeente-0384") == std::set<std::string>{"0384/verzuimmelding/ingetrokken/: 1 1 0"});
    BOOST_TEST(rows_of("coordinator-rijnmond").empty());
    // Another period: nothing.
    BOOST_TEST(parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload/rapportage?van=2020-01-01&tot=2020-12-31").body)["rows"].Size() == 0u);
    // CSV: UTF-8 with a BOM, ;-separated, a header row, the same numbers.
    TlsClient c(gw.port, "coordinator-amsterdam", dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    HttpReply csv = c.request(http::verb::get, period, {}, "application/json", {{"Accept", "text/csv"}});
    BOOST_REQUIRE(csv.status == 200);
    BOOST_TEST(csv.headers["Content-Type"].rfind("text/csv", 0) == 0u);
    BOOST_TEST(csv.body.rfind("\xEF\xBB\xBFgemeente;berichttype;status;hoogsteNiveau;nieuw;afgesloten;actief\r\n", 0) == 0u);
    BOOST_TEST(csv.body.find("0363;vsv-melding;geregistreerd;mbo-1;1;0;1\r\n") != std::string::npos);
    BOOST_TEST(csv.body.find("0384;verzuimmelding;ingetrokken;;1;1;0\r\n") != std::string::npos);
    BOOST_TEST(std::count(csv.body.begin(), csv.body.end(), '\n') == 4);
    // Bad or reversed dates name the parameter; a school reads no numbers.
    for (const auto& [q, path] : std::vector<std::pair<std::string, std::string>>{
             {"van=2026-12-01", "?tot"}, {"tot=2026-12-01", "?van"}, {"van=2026-12-02&tot=2026-12-01", "?tot"},
             {"van=2026-02-30&tot=2026-12-01", "?van"}, {"van=2026-01-01&tot=2026-12-01&gemeente=0363", "?gemeente"}}) {
        const HttpReply r = gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload/rapportage?" + q);
        BOOST_TEST(r.status == 400, q);
        const auto d = parse(r.body);
        BOOST_TEST((d.IsObject() && d["errors"][0]["path"].GetString() == path), q << " -> " << r.body);
    }
    BOOST_TEST(gw.as("school-12AB", http::verb::get, period).status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
