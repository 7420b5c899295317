// Intermediaries and mandates (messages.md "Intermediaries", interface.md `Namens`): a supplier or
// a regional bureau acts for a principal, judged exactly as the principal, within what its mandate
// covers today; records, receipts and audit entries keep both. Against the real server, on SQLite
// and (integration_server_postgres) PostgreSQL, with mandates dated relative to today so that the
// suite holds on any day.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <thread>

#include "core/dates.hpp"
#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

namespace {

const std::string kSchool12 = "00000099000000000201", kSchool34 = "00000099000000000202", kGemeente0363 = "00000099000000000363",
                  kGemeente0384 = "00000099000000000384", kLas = "00000099000000000801", kRbl = "00000099000000000802";

const std::map<std::string, std::string> kOins = {{"las-leverancier", kLas},
                                                  {"rbl-amsterdam", kRbl},
                                                  {"school-34CD", kSchool34},
                                                  {"coordinator-amsterdam", "00000099000000000901"}};

std::string day(int offset) { return Date::from_days(today_utc().days() + offset).iso(); }

// las-leverancier: school-12AB now (verzuimmelding and intrekking only: not the vsv-melding a
// school may also send), school-34CD ended yesterday. rbl-amsterdam: gemeente-0363 to send and
// read, gemeente-0384 read only.
std::string mandate_file(const std::string& las_12ab_until = day(365)) {
    return R"({"mandates": [
      {"intermediary": "las-leverancier", "principal": "school-12AB", "validFrom": ")" +
           day(-30) + R"(", "validUntil": ")" + las_12ab_until + R"(",
       "berichttypen": ["verzuimmelding", "intrekking"], "endpoints": ["berichten", "validate"]},
      {"intermediary": "las-leverancier", "principal": "school-34CD", "validFrom": ")" +
           day(-400) + R"(", "validUntil": ")" + day(-1) + R"(",
       "berichttypen": ["verzuimmelding", "intrekking"], "endpoints": ["berichten", "validate"]},
      {"intermediary": "rbl-amsterdam", "principal": "gemeente-0363", "validFrom": ")" +
           day(-30) + R"(", "validUntil": ")" + day(365) + R"(",
       "berichttypen": ["vrijstelling", "trajectmelding", "verhuizing", "intrekking"], "endpoints": ["berichten", "validate", "caseload", "records"]},
      {"intermediary": "rbl-amsterdam", "principal": "gemeente-0384", "validFrom": ")" +
           day(-30) + R"(", "validUntil": ")" + day(365) + R"(",
       "berichttypen": [], "endpoints": ["caseload", "records"]}
    ]})";
}

struct MandateGateway {
    TempDir files;
    std::filesystem::path file = files.path / "mandates.json";
    std::unique_ptr<Gateway> gw;
    MandateGateway() {
        write(file, mandate_file());
        gw = std::make_unique<Gateway>([&](Config& c) { c.mandates = file; });
    }
    // `party` sends with `Namens: namens` (none when empty).
    HttpReply as(const std::string& party, const std::string& namens, http::verb m, const std::string& target, const std::string& body = {},
                 const std::string& ct = "application/json") const {
        TlsClient c(gw->port, party, dev_certs_dir());
        if (!c.connect()) return {};
        std::map<std::string, std::string> headers;
        if (!namens.empty()) headers["Namens"] = namens;
        return c.request(m, target, body, ct, headers);
    }
    rapidjson::Document last_audit() const { return parse(gw->audit_entries().back()); }
};

std::string str(const rapidjson::Value& v, const char* key) { return v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "(none)"; }

// A withdrawal by `melding_id` of an earlier melding of the same sender.
std::string intrekking(const std::string& bericht_id, const std::string& melding_id, const std::string& target) {
    return R"({"berichtId":")" + bericht_id +
           R"(","berichttype":"intrekking","verzondenOp":"2026-11-24T09:00:00+01:00","meldingen":[)"
           R"({"meldingId":")" +
           melding_id + R"(","betreft":")" + target + R"(","reden":"foutief"}]})";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mandates)

BOOST_AUTO_TEST_CASE(an_intermediary_is_judged_as_its_principal_and_both_are_kept) {
    MandateGateway m;
    const HttpReply r = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("LAS-1", "LAS-M-1"));
    BOOST_REQUIRE_MESSAGE(r.status == 202, r.body);
    const auto receipt = parse(r.body);
    BOOST_TEST(str(receipt, "senderOin") == kSchool12);
    BOOST_TEST(str(receipt, "intermediaryOin") == kLas);
    // The audit entry: the principal with its role, the intermediary, and the intermediary's certificate.
    const auto entry = m.last_audit();
    BOOST_TEST(str(entry, "partyOin") == kSchool12);
    BOOST_TEST(str(entry, "partyRole") == "school");
    BOOST_TEST(str(entry, "intermediaryOin") == kLas);
    BOOST_TEST(str(entry, "outcome") == "allowed");
    m.as("las-leverancier", "", http::verb::get, "/v1/me");
    const std::string las_cert = str(m.last_audit(), "certFingerprint");
    m.as("school-12AB", "", http::verb::get, "/v1/me");
    const std::string school_cert = str(m.last_audit(), "certFingerprint");
    BOOST_TEST(str(entry, "certFingerprint") == las_cert);
    BOOST_TEST(las_cert != school_cert);
    BOOST_TEST(str(m.last_audit(), "intermediaryOin").empty());  // the school itself
    // The record: sent by the school, through its supplier.
    const auto id = std::string(receipt["records"][0]["id"].GetString());
    const auto rec = parse(m.gw->as("coordinator-amsterdam", http::verb::get, "/v1/records/" + id).body);
    BOOST_REQUIRE(rec.HasMember("record"));
    BOOST_TEST(str(rec["record"], "senderOin") == kSchool12);
    BOOST_TEST(str(rec["record"], "intermediaryOin") == kLas);
    // The principal's scope applies: school-12AB's BRIN only, as if it had sent it itself.
    std::string other_school = verzuim("LAS-2", "LAS-M-2");
    other_school.replace(other_school.find("\"12AB\""), 6, "\"34CD\"");
    const HttpReply scoped = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", other_school);
    BOOST_TEST(scoped.status == 400);
    BOOST_TEST(r.body.find("scope.not-own-brin") == std::string::npos);
    BOOST_TEST(scoped.body.find("scope.not-own-brin") != std::string::npos, scoped.body);
    // Validation namens the principal: the same judgement, nothing stored.
    const HttpReply valid = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/validate", verzuim("LAS-3", "LAS-M-3"));
    BOOST_TEST(valid.status == 200);
    BOOST_TEST(parse(valid.body)["valid"].GetBool());
}

BOOST_AUTO_TEST_CASE(idempotency_and_melding_ids_belong_to_the_principal) {
    MandateGateway m;
    const HttpReply own = m.gw->as("school-12AB", http::verb::post, "/v1/berichten", verzuim("IDEM-1", "IDEM-M-1"));
    BOOST_REQUIRE(own.status == 202);
    // The supplier re-sends the school's message: the school's original receipt.
    const HttpReply replay = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("IDEM-1", "IDEM-M-1"));
    BOOST_TEST(replay.status == 202);
    BOOST_TEST(replay.body == own.body);
    BOOST_TEST(str(m.last_audit(), "outcome") == "replayed");
    // Other content under the school's berichtId: a conflict.
    const HttpReply conflict = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("IDEM-1", "IDEM-M-2"));
    BOOST_TEST(conflict.status == 409);
    // A meldingId the school used: refused, whoever sends it for the school.
    const HttpReply reused = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("IDEM-2", "IDEM-M-1"));
    BOOST_TEST(reused.status == 400);
    BOOST_TEST(reused.body.find("melding.duplicate-id") != std::string::npos, reused.body);
    // And the other way round: what the supplier sent for the school is the school's.
    BOOST_REQUIRE(m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("IDEM-3", "IDEM-M-3")).status == 202);
    const HttpReply back = m.gw->as("school-12AB", http::verb::post, "/v1/berichten", verzuim("IDEM-4", "IDEM-M-3"));
    BOOST_TEST(back.status == 400);
    BOOST_TEST(back.body.find("melding.duplicate-id") != std::string::npos);
    // The same berichtId from another principal is another message.
    BOOST_TEST(m.gw->as("duo", http::verb::post, "/v1/berichten", verzuim("IDEM-1", "IDEM-M-1")).status == 202);
}

BOOST_AUTO_TEST_CASE(the_principal_and_its_supplier_withdraw_each_others_meldingen) {
    MandateGateway m;
    BOOST_REQUIRE(m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("W-1", "W-M-1")).status == 202);
    BOOST_REQUIRE(m.gw->as("school-12AB", http::verb::post, "/v1/berichten", verzuim("W-2", "W-M-2")).status == 202);
    const HttpReply school = m.gw->as("school-12AB", http::verb::post, "/v1/berichten", intrekking("W-3", "W-I-1", "W-M-1"));
    BOOST_TEST(school.status == 202, school.body);
    const HttpReply supplier = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", intrekking("W-4", "W-I-2", "W-M-2"));
    BOOST_TEST(supplier.status == 202, supplier.body);
    BOOST_TEST(caseload_meldingen(*m.gw, "coordinator-amsterdam").empty());
    // Another school (itself, or through the same supplier's other mandate) may not.
    BOOST_REQUIRE(m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", verzuim("W-5", "W-M-5")).status == 202);
    const HttpReply other = m.gw->as("school-34CD", http::verb::post, "/v1/berichten", intrekking("W-6", "W-I-6", "W-M-5"));
    BOOST_TEST(other.status == 400);
    BOOST_TEST(other.body.find("withdrawal.not-owner") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_a_mandate_in_force_nothing_is_done_and_the_refusal_is_audited_with_both) {
    MandateGateway m;
    struct Case {
        std::string party, namens;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {"las-leverancier", "", 403, "mandate.missing"},                      // an intermediary acts for someone
        {"las-leverancier", kSchool34, 403, "mandate.missing"},               // its mandate ended yesterday
        {"las-leverancier", kGemeente0363, 403, "mandate.missing"},           // no mandate at all
        {"las-leverancier", "00000099000000000999", 403, "mandate.missing"},  // not a party of the registry
        {"rbl-amsterdam", kSchool12, 403, "mandate.missing"},                 // another intermediary's principal
        {"school-34CD", kSchool12, 403, "mandate.missing"},                   // not an intermediary
        {"coordinator-amsterdam", kGemeente0363, 403, "mandate.missing"},     // not an intermediary
        {"las-leverancier", "12345", 400, "message.schema"},                  // not an OIN
        {"las-leverancier", "0000009900000000020A", 400, "message.schema"},
        {"las-leverancier", kSchool12 + "0", 400, "message.schema"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.party << " Namens '" << c.namens << "'") {
            const HttpReply r = m.as(c.party, c.namens, http::verb::post, "/v1/berichten", verzuim("NM-" + c.party + c.namens, "NM-1"));
            BOOST_TEST(r.status == c.status, r.body);
            BOOST_TEST(first_code(r) == c.code);
            const auto e = m.last_audit();
            BOOST_TEST(str(e, "outcome") == "refused");
            BOOST_REQUIRE(e["problems"].Size() == 1u);
            BOOST_TEST(e["problems"][0].GetString() == c.code);
            if (c.status == 403 && !c.namens.empty()) {  // the principal named and the party that named it
                BOOST_TEST(str(e, "partyOin") == c.namens);
                BOOST_TEST(str(e, "intermediaryOin") == kOins.at(c.party));
            } else {
                BOOST_TEST(str(e, "partyOin") == kOins.at(c.party));
                BOOST_TEST(str(e, "intermediaryOin").empty());
            }
        }
    }
    BOOST_TEST(caseload_meldingen(*m.gw, "coordinator-amsterdam").empty());  // nothing stored
    // On a read as well.
    BOOST_TEST(m.as("school-34CD", kSchool12, http::verb::get, "/v1/me").status == 403);
    const auto e = m.last_audit();
    BOOST_TEST(str(e, "partyOin") == kSchool12);
    BOOST_TEST(str(e, "intermediaryOin") == kSchool34);
    // Naming oneself is acting as oneself.
    const HttpReply self = m.as("school-12AB", kSchool12, http::verb::post, "/v1/berichten", verzuim("SELF-1", "SELF-M-1"));
    BOOST_TEST(self.status == 202, self.body);
    BOOST_TEST(parse(self.body).HasMember("intermediaryOin") == false);
}

BOOST_AUTO_TEST_CASE(a_mandate_covers_only_its_berichttypen_and_endpoints) {
    MandateGateway m;
    const auto push = parse(m.gw->as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).body);
    const std::string amsterdam_id = push["records"][0]["id"].GetString(), diemen_id = push["records"][1]["id"].GetString();
    // A type the principal may send but the mandate does not list.
    const HttpReply vsv = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", example("vsv-melding.json"));
    BOOST_TEST(vsv.status == 403);
    BOOST_TEST(first_code(vsv) == "mandate.not-permitted");
    // A type the principal's role may not send: the principal's own refusal.
    const HttpReply traject = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", example("trajectmelding.json"));
    BOOST_TEST(traject.status == 403);
    BOOST_TEST(first_code(traject) == "sender.role-not-permitted");
    // An endpoint the mandate does not list.
    const HttpReply read = m.as("las-leverancier", kSchool12, http::verb::get, "/v1/caseload");
    BOOST_TEST(read.status == 403);
    BOOST_TEST(first_code(read) == "mandate.not-permitted");
    // Read only for Diemen: its residents, nothing sent.
    const HttpReply send = m.as("rbl-amsterdam", kGemeente0384, http::verb::post, "/v1/berichten", example("vrijstelling.json"));
    BOOST_TEST(send.status == 403);
    BOOST_TEST(first_code(send) == "mandate.not-permitted");
    const auto diemen = parse(m.as("rbl-amsterdam", kGemeente0384, http::verb::get, "/v1/caseload").body);
    BOOST_REQUIRE(diemen.HasMember("items"));
    BOOST_REQUIRE(diemen["items"].Size() == 1u);
    BOOST_TEST(str(diemen["items"][0], "id") == diemen_id);
    BOOST_TEST(m.as("rbl-amsterdam", kGemeente0384, http::verb::get, "/v1/records/" + diemen_id).status == 200);
    BOOST_TEST(m.as("rbl-amsterdam", kGemeente0384, http::verb::get, "/v1/records/" + amsterdam_id).status == 404);
    const auto e = m.last_audit();
    BOOST_TEST(str(e, "partyOin") == kGemeente0384);
    BOOST_TEST(str(e, "intermediaryOin") == kRbl);
    BOOST_TEST(str(e, "purpose") == "dg-leerplichthandhaving");  // the principal's reads, their purpose
    // Send and read for Amsterdam.
    const auto amsterdam = parse(m.as("rbl-amsterdam", kGemeente0363, http::verb::get, "/v1/caseload").body);
    BOOST_REQUIRE(amsterdam["items"].Size() == 1u);
    BOOST_TEST(str(amsterdam["items"][0], "id") == amsterdam_id);
    const HttpReply sent = m.as("rbl-amsterdam", kGemeente0363, http::verb::post, "/v1/berichten", example("vrijstelling.json"));
    BOOST_TEST(sent.status == 202, sent.body);
    // The same in XML, as another message.
    std::string xml = example("vrijstelling.xml");
    xml.replace(xml.find("GM0363-V-0001"), 13, "GM0363-V-0002");
    xml.replace(xml.find("VR-0001"), 7, "VR-0002");
    const HttpReply sent_xml = m.as("rbl-amsterdam", kGemeente0363, http::verb::post, "/v1/berichten", xml, "application/xml");
    BOOST_TEST(sent_xml.status == 202, sent_xml.body);
    BOOST_TEST(str(parse(sent_xml.body), "intermediaryOin") == kRbl);
    const HttpReply xml_vsv = m.as("las-leverancier", kSchool12, http::verb::post, "/v1/berichten", example("vsv-melding.xml"), "application/xml");
    BOOST_TEST(xml_vsv.status == 403);
    BOOST_TEST(first_code(xml_vsv) == "mandate.not-permitted");
}

BOOST_AUTO_TEST_CASE(me_shows_an_intermediary_its_mandates_and_whom_it_acts_for) {
    MandateGateway m;
    const auto las = parse(m.as("las-leverancier", "", http::verb::get, "/v1/me").body);
    BOOST_TEST(str(las, "role") == "intermediary");
    BOOST_REQUIRE(las["mandates"].Size() == 2u);
    BOOST_TEST(str(las["mandates"][0]["principal"], "name") == "school-12AB");
    BOOST_TEST(str(las["mandates"][0], "state") == "active");
    BOOST_TEST(str(las["mandates"][0], "validFrom") == day(-30));
    BOOST_TEST(str(las["mandates"][1]["principal"], "oin") == kSchool34);
    BOOST_TEST(str(las["mandates"][1], "state") == "ended");
    BOOST_TEST(las["endpoints"].Size() == 0u);
    const auto acting = parse(m.as("rbl-amsterdam", kGemeente0384, http::verb::get, "/v1/me").body);
    BOOST_TEST(str(acting, "oin") == kGemeente0384);
    BOOST_TEST(str(acting, "role") == "gemeente");
    BOOST_TEST(str(acting["intermediary"], "oin") == kRbl);
    BOOST_REQUIRE(acting["endpoints"].Size() == 2u);  // what the principal may use and the mandate covers
    BOOST_TEST(acting["endpoints"][0].GetString() == std::string("caseload"));
    BOOST_TEST(acting["mandate"]["berichttypen"].Size() == 0u);
    BOOST_TEST(parse(m.gw->as("school-12AB", http::verb::get, "/v1/me").body).HasMember("mandates") == false);
}

BOOST_AUTO_TEST_CASE(a_mandate_revoked_by_sighup_ends_on_connections_already_open) {
    MandateGateway m;
    m.gw->service->handle_signals();  // as serve does
    TlsClient open(m.gw->port, "las-leverancier", dev_certs_dir());
    BOOST_REQUIRE(open.connect());
    const std::map<std::string, std::string> namens = {{"Namens", kSchool12}};
    BOOST_TEST(open.request(http::verb::post, "/v1/berichten", verzuim("HUP-1", "HUP-M-1"), "application/json", namens).status == 202);
    // A broken file: refused, the mandate stays; the refusal is logged and audited.
    write(m.file,
          R"({"mandates": [{"intermediary": "las-leverancier", "principal": "school-99ZZ", "validFrom": "2026-01-01", "validUntil": "2026-12-31",
                      "berichttypen": [], "endpoints": []}]})");
    BOOST_TEST(!m.gw->service->reload());
    const auto refused = m.last_audit();
    BOOST_TEST(str(refused, "action") == "reload");
    BOOST_TEST(str(refused, "outcome") == "refused");
    BOOST_TEST(str(refused["attributes"], "reason").find("school-99ZZ") != std::string::npos);
    BOOST_TEST(open.request(http::verb::post, "/v1/berichten", verzuim("HUP-2", "HUP-M-2"), "application/json", namens).status == 202);
    // Revoked: the period ended yesterday. The real signal, on the connection that stays open.
    write(m.file, mandate_file(day(-1)));
    const auto before = m.gw->audit_entries().size();
    ::kill(::getpid(), SIGHUP);
    for (int i = 0; i < 100 && m.gw->audit_entries().size() == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto reloaded = m.last_audit();
    BOOST_TEST(str(reloaded, "action") == "reload");
    BOOST_TEST(str(reloaded, "outcome") == "allowed");
    BOOST_TEST(str(reloaded["attributes"], "mandatesVersion").rfind("sha256:", 0) == 0u);
    const HttpReply after = open.request(http::verb::post, "/v1/berichten", verzuim("HUP-3", "HUP-M-3"), "application/json", namens);
    BOOST_TEST(after.status == 403);
    BOOST_TEST(first_code(after) == "mandate.missing");
    // The school itself goes on.
    BOOST_TEST(m.gw->as("school-12AB", http::verb::post, "/v1/berichten", verzuim("HUP-4", "HUP-M-4")).status == 202);
}

BOOST_AUTO_TEST_SUITE_END()
