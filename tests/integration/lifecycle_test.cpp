// The life of a melding after its first report (messages.md, verzuimmelding "Ongoing absence";
// interface.md GET /v1/meldingen): ongoing (lopend) verzuim, and senders reading back what became of
// what they sent. Against the real server on SQLite and (integration_server_postgres) PostgreSQL.
#include <boost/test/unit_test.hpp>

#include <set>
#include <thread>
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
        const HttpReply r = gw.as("school-12AB", http::verb::post, "/v1/berichten",
                                  verzuim("S-" + std::to_string(i), "S-M-" + std::to_string(i), i == 3 ? "0384" : "0363"));
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
    traject.replace(traject.find(R"("status": "in-behandeling")"), 27,
                    R"("status": "in-behandeling", "toelichting": "Gesprek met ouders op 1 december")");
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
    BOOST_TEST(melding_ids(parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/meldingen").body)) == std::vector<std::string>{"TR-0001"});
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
    // A wijziging of Amsterdam's verzuim counts in its history, not as a melding of its own.
    const std::string change = R"({"berichtId":"R-C","berichttype":"wijziging","verzondenOp":"2026-11-25T09:00:00+01:00",)"
                               R"("meldingen":[{"meldingId":"R-C-1","betreft":"VZ-2026-0001","wijzigingen":{"toelichting":"Bijgewerkt."}}]})";
    const HttpReply changed = gw.as("school-12AB", http::verb::post, "/v1/berichten", change);
    BOOST_REQUIRE_MESSAGE(changed.status == 202, changed.body);

    const std::string today = today_utc().iso();
    const std::string period = "/v1/caseload/rapportage?van=" + today + "&tot=" + today;
    auto rows_of = [&](const std::string& party) {
        std::set<std::string> out;  // "gemeente/type/status/detail: nieuw afgesloten actief"
        const auto d = parse(gw.as(party, http::verb::get, period).body);
        BOOST_REQUIRE(d.IsObject() && d.HasMember("rows"));
        for (const auto& r : d["rows"].GetArray())
            out.insert(std::string(r["gemeente"].GetString()) + "/" + r["berichttype"].GetString() + "/" + r["status"].GetString() + "/" +
                       (r.HasMember("hoogsteNiveau") ? r["hoogsteNiveau"].GetString() : "") + ": " + std::to_string(r["nieuw"].GetUint64()) + " " +
                       std::to_string(r["afgesloten"].GetUint64()) + " " + std::to_string(r["actief"].GetUint64()));
        return out;
    };
    BOOST_TEST(rows_of("coordinator-amsterdam") ==
               (std::set<std::string>{"0363/verzuimmelding/afgesloten/: 1 1 1", "0384/verzuimmelding/ingetrokken/: 1 1 0",
                                      "0363/vsv-melding/geregistreerd/mbo-1: 1 0 1"}));
    // Amsterdam's leerplichtambtenaar: its residents, the types it reads (no vsv); Diemen its own.
    BOOST_TEST(rows_of("gemeente-0363") == std::set<std::string>{"0363/verzuimmelding/afgesloten/: 1 1 1"});
    BOOST_TEST(rows_of("gemeente-0384") == std::set<std::string>{"0384/verzuimmelding/ingetrokken/: 1 1 0"});
    BOOST_TEST(rows_of("coordinator-rijnmond").empty());
    // Another period: nothing.
    BOOST_TEST(parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload/rapportage?van=2020-01-01&tot=2020-12-31").body)["rows"].Size() ==
               0u);
    // CSV: UTF-8 with a BOM, ;-separated, a header row, the same numbers.
    TlsClient c(gw.port, "coordinator-amsterdam", dev_certs_dir());
    BOOST_REQUIRE(c.connect());
    HttpReply csv = c.request(http::verb::get, period, {}, "application/json", {{"Accept", "text/csv"}});
    BOOST_REQUIRE(csv.status == 200);
    BOOST_TEST(csv.headers["Content-Type"].rfind("text/csv", 0) == 0u);
    BOOST_TEST(csv.body.rfind("\xEF\xBB\xBFgemeente;gemeentenaam;berichttype;status;hoogsteNiveau;nieuw;afgesloten;actief\r\n", 0) == 0u);
    BOOST_TEST(csv.body.find("0363;AMSTERDAM;vsv-melding;geregistreerd;mbo-1;1;0;1\r\n") != std::string::npos);
    BOOST_TEST(csv.body.find("0384;DIEMEN;verzuimmelding;ingetrokken;;1;1;0\r\n") != std::string::npos);
    BOOST_TEST(std::count(csv.body.begin(), csv.body.end(), '\n') == 4);
    // Bad or reversed dates name the parameter; a school reads no numbers.
    for (const auto& [q, path] : std::vector<std::pair<std::string, std::string>>{{"van=2026-12-01", "?tot"},
                                                                                  {"tot=2026-12-01", "?van"},
                                                                                  {"van=2026-12-02&tot=2026-12-01", "?tot"},
                                                                                  {"van=2026-02-30&tot=2026-12-01", "?van"},
                                                                                  {"van=2026-01-01&tot=2026-12-01&gemeente=0363", "?gemeente"}}) {
        const HttpReply r = gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload/rapportage?" + q);
        BOOST_TEST(r.status == 400, q);
        const auto d = parse(r.body);
        BOOST_TEST((d.IsObject() && d["errors"][0]["path"].GetString() == path), q << " -> " << r.body);
    }
    BOOST_TEST(gw.as("school-12AB", http::verb::get, period).status == 403);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(onderwijsgebeurtenis)

namespace {

std::string vsv(const std::string& bericht_id, const std::string& melding_id, const std::string& bsn, const std::string& gemeente) {
    return R"({"berichtId":")" + bericht_id +
           R"(","berichttype":"vsv-melding","verzondenOp":"2026-11-01T02:00:00+01:00",)"
           R"("meldingen":[{"meldingId":")" +
           melding_id + R"(","leerling":{"bsn":")" + bsn +
           R"(","geboortedatum":"2007-05-30",)"
           R"("woongemeente":")" +
           gemeente +
           R"("},"school":{"brin":"34CD","vestiging":"00"},"uitschrijfdatum":"2026-08-01",)"
           R"("hoogsteNiveau":"mbo-1","startkwalificatie":false}]})";
}

std::string verzuim_van(const std::string& bericht_id, const std::string& melding_id, const std::string& soort) {
    return R"({"berichtId":")" + bericht_id +
           R"(","berichttype":"verzuimmelding","verzondenOp":"2026-11-18T09:00:00+01:00",)"
           R"("meldingen":[{"meldingId":")" +
           melding_id +
           R"(","leerling":{"bsn":"011524492","geboortedatum":"2007-05-30",)"
           R"("woongemeente":"0599"},"school":{"brin":"34CD","vestiging":"00"},)"
           R"("verzuim":{"soort":")" +
           soort + R"(","van":"2026-09-01","tot":"2026-11-10"}}]})";
}

std::string id_of(const HttpReply& r) { return parse(r.body)["records"][0]["id"].GetString(); }

}  // namespace

// messages.md, onderwijsgebeurtenis: herinschrijving and startkwalificatie-behaald close the pupil's
// active vsv-meldingen and 18-plus verzuimmeldingen in the region of the woongemeente, each with
// that afsluitreden in its history; nothing else, nobody else's, no other region's.
BOOST_AUTO_TEST_CASE(closes_the_pupils_vsv_and_18_plus_verzuim_in_the_region) {
    Gateway gw;
    auto push = [&](const std::string& body) {
        const HttpReply r = gw.as("duo", http::verb::post, "/v1/berichten", body);
        BOOST_REQUIRE_MESSAGE(r.status == 202, r.body);
        return id_of(r);
    };
    const std::string vsv_own = push(vsv("V-1", "VSV-1", "011524492", "0599"));
    const std::string verzuim_18 = push(verzuim_van("Z-1", "VZ-18", "18-plus"));
    const std::string vsv_other_pupil = push(vsv("V-2", "VSV-2", "398259793", "0599"));
    const std::string vsv_other_region = push(vsv("V-3", "VSV-3", "011524492", "0363"));  // moved away once: region 90
    const std::string before = gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + vsv_own).body;

    const std::string og = example("onderwijsgebeurtenis.json");
    const HttpReply r = gw.as("duo", http::verb::post, "/v1/berichten", og);
    BOOST_REQUIRE_MESSAGE(r.status == 202, r.body);
    const std::string og_id = id_of(r);
    BOOST_TEST(parse(r.body)["records"][0]["region"].GetString() == std::string("91"));

    auto record = [&](const char* reader, const std::string& id) { return parse(gw.as(reader, http::verb::get, "/v1/records/" + id).body); };
    for (const auto& id : {vsv_own, verzuim_18}) {
        const auto d = record("coordinator-rijnmond", id);
        BOOST_TEST(d["record"]["status"].GetString() == std::string("afgesloten"), id);
        BOOST_TEST(d["record"]["active"].GetBool());  // closed, still in the region's caseload
        const auto& h = d["history"];
        BOOST_REQUIRE(h.Size() >= 1u);
        const auto& last = h[h.Size() - 1];
        BOOST_TEST(last["event"].GetString() == std::string("status"));
        BOOST_TEST(last["detail"]["status"].GetString() == std::string("afgesloten"));
        BOOST_TEST(last["detail"]["afsluitreden"].GetString() == std::string("herinschrijving"));
        BOOST_TEST(last["detail"]["onderwijsgebeurtenis"].GetString() == og_id);
    }
    BOOST_TEST(record("coordinator-rijnmond", vsv_other_pupil)["record"]["status"].GetString() == std::string("geregistreerd"));
    BOOST_TEST(record("coordinator-amsterdam", vsv_other_region)["record"]["status"].GetString() == std::string("geregistreerd"));
    // The gebeurtenis is a record of the region itself, in the caseload.
    const auto ogr = record("coordinator-rijnmond", og_id);
    BOOST_TEST(ogr["record"]["berichttype"].GetString() == std::string("onderwijsgebeurtenis"));
    BOOST_TEST(ogr["record"]["active"].GetBool());
    const auto caseload = caseload_meldingen(gw, "coordinator-rijnmond");
    BOOST_TEST((std::find(caseload.begin(), caseload.end(), "OG-000001/geregistreerd") != caseload.end()));
    BOOST_TEST((std::find(caseload.begin(), caseload.end(), "VSV-1/afgesloten") != caseload.end()));

    // Idempotent: the same message again is the same receipt and changes nothing.
    const std::string after = gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + vsv_own).body;
    const HttpReply again = gw.as("duo", http::verb::post, "/v1/berichten", og);
    BOOST_TEST(again.status == 202);
    BOOST_TEST(again.body == r.body);
    BOOST_TEST(gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + vsv_own).body == after);
    BOOST_TEST(before != after);

    // XML, the other gebeurtenis, the other pupil: closed with startkwalificatie-behaald.
    std::string xml = example("onderwijsgebeurtenis.xml");
    xml.replace(xml.find("DUO-OG-202611-000001"), 20, "DUO-OG-202611-000002");
    xml.replace(xml.find("OG-000001"), 9, "OG-000002");
    xml.replace(xml.find("011524492"), 9, "398259793");
    xml.replace(xml.find("herinschrijving"), 15, "startkwalificatie-behaald");
    const HttpReply x = gw.as("duo", http::verb::post, "/v1/berichten", xml, "application/xml");
    BOOST_REQUIRE_MESSAGE(x.status == 202, x.body);
    const auto other = record("coordinator-rijnmond", vsv_other_pupil);
    BOOST_TEST(other["record"]["status"].GetString() == std::string("afgesloten"));
    const auto& oh = other["history"];
    BOOST_TEST(oh[oh.Size() - 1]["detail"]["afsluitreden"].GetString() == std::string("startkwalificatie-behaald"));

    // Only DUO sends them; a gemeente reads no vsv data, so no gebeurtenis either.
    BOOST_TEST(gw.as("gemeente-0599", http::verb::post, "/v1/berichten", og).status == 403);
    BOOST_TEST(gw.as("gemeente-0599", http::verb::get, "/v1/records/" + og_id).status == 404);
}

// Only the 18-plus verzuim closes: a 16-year-old's 16-uur verzuimmelding stays open while the
// vsv-melding of the same pupil is closed (the policy's "when" on the content).
BOOST_AUTO_TEST_CASE(leaves_other_verzuim_of_the_pupil_open) {
    Gateway gw;
    auto young = [](std::string body) {
        body.replace(body.find("011524492"), 9, "291417772");
        body.replace(body.find("2007-05-30"), 10, "2010-01-15");
        return body;
    };
    const HttpReply v = gw.as("duo", http::verb::post, "/v1/berichten", young(vsv("V-9", "VSV-9", "011524492", "0599")));
    BOOST_REQUIRE_MESSAGE(v.status == 202, v.body);
    std::string zestien = young(verzuim_van("Z-9", "VZ-16", "16-uur"));
    zestien.replace(zestien.find(R"("van":"2026-09-01")"), 18, R"("van":"2026-10-26")");
    zestien.replace(zestien.find(R"("tot":"2026-11-10")"), 18, R"("tot":"2026-11-13","uren":18)");
    const HttpReply z = gw.as("duo", http::verb::post, "/v1/berichten", zestien);
    BOOST_REQUIRE_MESSAGE(z.status == 202, z.body);
    const HttpReply og = gw.as("duo", http::verb::post, "/v1/berichten", young(example("onderwijsgebeurtenis.json")));
    BOOST_REQUIRE_MESSAGE(og.status == 202, og.body);
    auto status = [&](const HttpReply& r) {
        return std::string(parse(gw.as("coordinator-rijnmond", http::verb::get, "/v1/records/" + id_of(r)).body)["record"]["status"].GetString());
    };
    BOOST_TEST(status(v) == "afgesloten");
    BOOST_TEST(status(z) == "geregistreerd");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wijziging)

namespace {

std::string change(const std::string& bericht_id, const std::string& melding_id, const std::string& betreft, const std::string& changes,
                   const std::string& sent = "2026-12-01T10:00:00+01:00") {
    return R"({"berichtId":")" + bericht_id + R"(","berichttype":"wijziging","verzondenOp":")" + sent +
           R"(",)"
           R"("meldingen":[{"meldingId":")" +
           melding_id + R"(","betreft":")" + betreft + R"(","wijzigingen":)" + changes + "}]}";
}

std::string receipt_id(const HttpReply& r) { return parse(r.body)["records"][0]["id"].GetString(); }

}  // namespace

// messages.md, wijziging: the original sender sets the end of a lopend verzuim; the record as
// changed is judged as a whole on the wijziging's verzondenOp; the history names the fields, not
// their values; retention is recomputed; coordinators see the new content at once.
BOOST_AUTO_TEST_CASE(the_school_ends_a_lopend_verzuim) {
    Gateway gw;
    const HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding-lopend.json"));
    BOOST_REQUIRE_MESSAGE(first.status == 202, first.body);
    const std::string id = receipt_id(first);
    auto record = [&] { return parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + id).body); };

    const HttpReply w = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("wijziging.json"));
    BOOST_REQUIRE_MESSAGE(w.status == 202, w.body);
    const auto d = record();
    BOOST_TEST(d["record"]["melding"]["verzuim"]["tot"].GetString() == std::string("2026-11-27"));
    BOOST_TEST(d["record"]["melding"]["verzuim"]["van"].GetString() == std::string("2026-09-28"));  // the rest as it was
    BOOST_TEST(d["record"]["melding"]["toelichting"].GetString() == std::string("Leerling is op 30 november teruggekeerd."));
    BOOST_TEST(d["record"]["retentionUntil"].GetString() == std::string("2031-11-27"));  // 5 years after tot now
    const auto& h = d["history"];
    const auto& last = h[h.Size() - 1];
    BOOST_TEST(last["event"].GetString() == std::string("changed"));
    BOOST_REQUIRE(last["detail"]["fields"].Size() == 2u);
    BOOST_TEST(last["detail"]["fields"][0].GetString() == std::string("toelichting"));  // in the record's canonical order
    BOOST_TEST(last["detail"]["fields"][1].GetString() == std::string("verzuim/tot"));
    BOOST_TEST(last["detail"]["wijziging"].GetString() == receipt_id(w));
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + id).body.find("teruggekeerd") != std::string::npos);
    const std::string history_text = gw.as("school-12AB", http::verb::get, "/v1/meldingen").body;
    BOOST_TEST(history_text.find("2026-11-27") == std::string::npos);  // the sender's read-back names no values

    // XML, a count typed by the changed record's schema.
    const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                            R"(<bericht xmlns="urn:x-doorstroom-gateway:gegevensdeling:v1" berichtId="12AB-W-2" berichttype="wijziging")"
                            R"( verzondenOp="2026-12-01T11:00:00+01:00"><wijziging meldingId="WZ-2"><betreft>VZ-2026-0003</betreft>)"
                            R"(<wijzigingen><verzuim><uren>40</uren></verzuim></wijzigingen></wijziging></bericht>)";
    const HttpReply x = gw.as("school-12AB", http::verb::post, "/v1/berichten", xml, "application/xml");
    BOOST_REQUIRE_MESSAGE(x.status == 202, x.body);
    BOOST_TEST(record()["record"]["melding"]["verzuim"]["uren"].GetInt() == 40);

    // Judged as a whole: a tot before van is period.invalid, at the path the sender wrote.
    const HttpReply bad =
        gw.as("school-12AB", http::verb::post, "/v1/berichten", change("12AB-W-3", "WZ-3", "VZ-2026-0003", R"({"verzuim":{"tot":"2026-09-01"}})"));
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.body.find(R"("code":"period.invalid","path":"/meldingen/0/wijzigingen/verzuim/tot")") != std::string::npos, bad.body);
    // On the wijziging's verzondenOp: a tot after it is refused too.
    const HttpReply future =
        gw.as("school-12AB", http::verb::post, "/v1/berichten", change("12AB-W-4", "WZ-4", "VZ-2026-0003", R"({"verzuim":{"tot":"2026-12-05"}})"));
    BOOST_TEST(future.status == 400);
    BOOST_TEST(first_code(future) == "period.invalid");
    // Only what the policy lets change; the path under wijzigingen.
    const HttpReply bsn = gw.as("school-12AB", http::verb::post, "/v1/berichten",
                                change("12AB-W-5", "WZ-5", "VZ-2026-0003", R"({"leerling":{"bsn":"291417772"},"verzuim":{"soort":"luxe"}})"));
    BOOST_TEST(bsn.status == 400);
    BOOST_TEST(bsn.body.find(R"("code":"field.not-permitted","path":"/meldingen/0/wijzigingen/leerling/bsn")") != std::string::npos, bsn.body);
    BOOST_TEST(bsn.body.find(R"("path":"/meldingen/0/wijzigingen/verzuim/soort")") != std::string::npos, bsn.body);
    BOOST_TEST(bsn.body.find("291417772") == std::string::npos);  // no personal data in the answer
    // Nothing of the refused ones changed anything.
    BOOST_TEST(record()["record"]["melding"]["verzuim"]["tot"].GetString() == std::string("2026-11-27"));

    // Someone else's: change.not-owner; unknown: change.unknown; withdrawn: change.unknown.
    const HttpReply other =
        gw.as("school-34CD", http::verb::post, "/v1/berichten", change("34CD-W-1", "WZ-6", "VZ-2026-0003", R"({"toelichting":"x"})"));
    BOOST_TEST(other.status == 400);
    BOOST_TEST(first_code(other) == "change.not-owner");
    const HttpReply unknown =
        gw.as("school-12AB", http::verb::post, "/v1/berichten", change("12AB-W-7", "WZ-7", "VZ-GEEN", R"({"toelichting":"x"})"));
    BOOST_TEST(first_code(unknown) == "change.unknown");
    const std::string intrekking = R"({"berichtId":"12AB-I-1","berichttype":"intrekking","verzondenOp":"2026-12-01T12:00:00+01:00",)"
                                   R"("meldingen":[{"meldingId":"WD-1","betreft":"VZ-2026-0003","reden":"foutief"}]})";
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", intrekking).status == 202);
    const HttpReply gone =
        gw.as("school-12AB", http::verb::post, "/v1/berichten", change("12AB-W-8", "WZ-8", "VZ-2026-0003", R"({"toelichting":"x"})"));
    BOOST_TEST(gone.status == 400);
    BOOST_TEST(first_code(gone) == "change.unknown");
}

// Both write paths: a message small enough for the group commit and one streamed in chunks.
BOOST_AUTO_TEST_CASE(through_the_group_commit_and_the_bulk_path) {
    for (const std::size_t threshold : {std::size_t{1} << 30, std::size_t{1}}) {
        BOOST_TEST_CONTEXT("bulk threshold " << threshold) {
            Gateway gw([&](Config& c) { c.bulk_threshold_bytes = threshold; });
            const HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding-lopend.json"));
            BOOST_REQUIRE(first.status == 202);
            const HttpReply w = gw.as("school-12AB", http::verb::post, "/v1/berichten", example("wijziging.xml"), "application/xml");
            BOOST_REQUIRE_MESSAGE(w.status == 202, w.body);
            const auto d = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + receipt_id(first)).body);
            BOOST_TEST(d["record"]["melding"]["verzuim"]["tot"].GetString() == std::string("2026-11-27"));
            BOOST_TEST(d["record"]["retentionUntil"].GetString() == std::string("2031-11-27"));
        }
    }
}

// A wijziging racing an intrekking of the same record: whichever commits first, the record ends
// withdrawn, and a change it shows came before the withdrawal; a wijziging that lost is refused
// (change.unknown) or, judged while the record was still there, leaves the tombstone as it is.
BOOST_AUTO_TEST_CASE(racing_an_intrekking) {
    Gateway gw;
    for (int round = 0; round < 6; ++round) {
        const std::string n = std::to_string(round);
        std::string lopend = example("verzuimmelding-lopend.json");
        lopend.replace(lopend.find("12AB-20261124-0001"), 18, "12AB-20261124-R" + n + "0");
        lopend.replace(lopend.find("VZ-2026-0003"), 12, "VZ-RACE-" + n + "000");
        const HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", lopend);
        BOOST_REQUIRE(first.status == 202);
        const std::string intrekking = R"({"berichtId":"12AB-RI-)" + n +
                                       R"(","berichttype":"intrekking","verzondenOp":"2026-12-01T12:00:00+01:00",)"
                                       R"("meldingen":[{"meldingId":"WD-R)" +
                                       n + R"(","betreft":"VZ-RACE-)" + n + R"(000","reden":"foutief"}]})";
        const std::string wijziging = change("12AB-RW-" + n, "WZ-R" + n, "VZ-RACE-" + n + "000", R"({"verzuim":{"tot":"2026-11-27"}})");
        HttpReply wr, ir;
        std::thread a([&] { wr = gw.as("school-12AB", http::verb::post, "/v1/berichten", wijziging); });
        std::thread b([&] { ir = gw.as("school-12AB", http::verb::post, "/v1/berichten", intrekking); });
        a.join();
        b.join();
        BOOST_TEST(ir.status == 202, ir.body);
        BOOST_TEST((wr.status == 202 || (wr.status == 400 && first_code(wr) == "change.unknown")), wr.body);
        const auto d = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + receipt_id(first)).body);
        BOOST_TEST(d["record"]["status"].GetString() == std::string("ingetrokken"));
        BOOST_TEST(!d["record"]["active"].GetBool());
        std::vector<std::string> events;
        for (const auto& h : d["history"].GetArray()) events.push_back(h["event"].GetString());
        BOOST_TEST(events.back() == "withdrawn");
        BOOST_TEST(std::count(events.begin(), events.end(), "changed") <= 1);
    }
}

// A supplier changes what the school sent (and the other way round): judged as the school's.
BOOST_AUTO_TEST_CASE(namens_the_original_sender) {
    Gateway gw;
    BOOST_REQUIRE(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding-lopend.json")).status == 202);
    TlsClient las(gw.port, "las-leverancier", dev_certs_dir());
    BOOST_REQUIRE(las.connect());
    const HttpReply w =
        las.request(http::verb::post, "/v1/berichten", example("wijziging.json"), "application/json", {{"Namens", "00000099000000000201"}});
    BOOST_TEST(w.status == 202, w.body);
}

BOOST_AUTO_TEST_SUITE_END()
