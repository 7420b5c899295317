// Who reads what (messages.md): read scope is policy data per role and berichttype. A gemeente
// reads its own residents only (not even another gemeente of its region), and only the types its
// role reads; a coordinator its region; a policy change narrows that without a code change. And
// every route of interface.md as every dev party, allowed or refused exactly as the contract says.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

namespace {

std::vector<std::string> items_of(const HttpReply& r, const char* key = "meldingId") {
    std::vector<std::string> out;
    auto d = parse(r.body);
    if (d.IsObject() && d.HasMember("items"))
        for (const auto& i : d["items"].GetArray()) out.push_back(i[key].GetString());
    std::sort(out.begin(), out.end());
    return out;
}

// The verzuimmelding example (0363 and 0384 pupils) and a vsv-melding about a 0363 pupil from DUO.
struct Stored {
    std::string amsterdam_id, diemen_id, vsv_id;
    explicit Stored(const Gateway& gw) {
        auto push = parse(gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json")).body);
        amsterdam_id = push["records"][0]["id"].GetString();
        diemen_id = push["records"][1]["id"].GetString();
        std::string vsv = example("vsv-melding.json");
        vsv.replace(vsv.find("\"0599\""), 6, "\"0363\"");
        auto v = parse(gw.as("duo", http::verb::post, "/v1/berichten", vsv).body);
        vsv_id = v["records"][0]["id"].GetString();
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(read_scope)

BOOST_AUTO_TEST_CASE(a_gemeente_reads_its_own_residents_only) {
    Gateway gw;
    const Stored s(gw);
    // Amsterdam's leerplichtambtenaar: its resident's verzuimmelding, not Diemen's (same region),
    // not the vsv-melding (a type the gemeente does not read).
    BOOST_TEST(items_of(gw.as("gemeente-0363", http::verb::get, "/v1/caseload")) == std::vector<std::string>{"VZ-2026-0001"});
    BOOST_TEST(items_of(gw.as("gemeente-0384", http::verb::get, "/v1/caseload")) == std::vector<std::string>{"VZ-2026-0002"});
    BOOST_TEST(items_of(gw.as("gemeente-0599", http::verb::get, "/v1/caseload")).empty());
    BOOST_TEST(items_of(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload")) ==
               (std::vector<std::string>{"VSV-000001", "VZ-2026-0001", "VZ-2026-0002"}));
    // Filters cannot reach past it.
    BOOST_TEST(items_of(gw.as("gemeente-0363", http::verb::get, "/v1/caseload?gemeente=0384")).empty());
    BOOST_TEST(items_of(gw.as("gemeente-0363", http::verb::get, "/v1/caseload?berichttype=vsv-melding")).empty());
    // One record: its own is there, the others are not (a 404 exactly like a missing one).
    BOOST_TEST(gw.as("gemeente-0363", http::verb::get, "/v1/records/" + s.amsterdam_id).status == 200);
    const HttpReply missing = gw.as("gemeente-0363", http::verb::get, "/v1/records/" + std::string(32, 'a'));
    for (const auto& id : {s.diemen_id, s.vsv_id}) {
        const HttpReply r = gw.as("gemeente-0363", http::verb::get, "/v1/records/" + id);
        BOOST_TEST(r.status == 404);
        BOOST_TEST(r.body == missing.body);
    }
    // Search by BSN: only within the scope.
    BOOST_TEST(items_of(gw.as("gemeente-0363", http::verb::post, "/v1/records/search", R"({"bsn":"291417772"})")) ==
               std::vector<std::string>{"VZ-2026-0001"});
    BOOST_TEST(items_of(gw.as("gemeente-0384", http::verb::post, "/v1/records/search", R"({"bsn":"291417772"})")).empty());
    // Counts: its own residents and types only.
    const auto summary = parse(gw.as("gemeente-0363", http::verb::get, "/v1/caseload/summary").body);
    BOOST_REQUIRE(summary["counts"].Size() == 1u);
    BOOST_TEST(summary["counts"][0]["gemeente"].GetString() == std::string("0363"));
    BOOST_TEST(summary["counts"][0]["berichttype"].GetString() == std::string("verzuimmelding"));
    // Each read is audited with the purpose and legal basis of the gemeente's reads.
    const auto audit = gw.audit_entries();
    const auto last = parse(audit.back());
    BOOST_TEST(last["purpose"].GetString() == std::string("dg-leerplichthandhaving"));
    BOOST_TEST(std::string(last["legalBasis"].GetString()).find("Leerplichtwet") != std::string::npos);
    // /v1/me says what it reads.
    const auto me = parse(gw.as("gemeente-0363", http::verb::get, "/v1/me").body);
    BOOST_TEST(me["reads"]["scope"].GetString() == std::string("own-residents"));
    BOOST_TEST(me["reads"]["berichttypen"].Size() == 4u);
    BOOST_TEST(parse(gw.as("school-12AB", http::verb::get, "/v1/me").body).HasMember("reads") == false);
}

// The names the screens show instead of codes, each within what the caller may see: gemeente
// names for everyone (reference data), the school locations of a reader's own region, a school's
// own locations, party names to an auditor only, and a record's sender by name. Expected values
// are those of ../shared/data/regions-sample.csv (the dev region table) and the dev registry.
BOOST_AUTO_TEST_CASE(names_within_the_callers_scope) {
    Gateway gw;
    const Stored s(gw);
    auto coordinator = parse(gw.as("coordinator-amsterdam", http::verb::get, "/v1/me").body);
    BOOST_TEST(coordinator["displayName"].GetString() == std::string("Doorstroompunt Amsterdam-Diemen (test)"));
    BOOST_TEST(coordinator["gemeenteNamen"]["0518"].GetString() == std::string("'S-GRAVENHAGE"));
    BOOST_TEST(coordinator["gemeenteNamen"].MemberCount() == 7u);
    const auto& scholen = coordinator["region"]["scholen"];
    BOOST_TEST(scholen.MemberCount() == 2u);  // 12AB 00 (Amsterdam) and 12AB 01 (Diemen); not Rotterdam's
    BOOST_TEST(scholen["12AB01"].GetString() == std::string("Het Amstel College, locatie Diemen (test)"));
    BOOST_TEST(!scholen.HasMember("34CD00"));
    BOOST_TEST(!coordinator.HasMember("partijen"));
    auto rijnmond = parse(gw.as("coordinator-rijnmond", http::verb::get, "/v1/me").body);
    BOOST_TEST(rijnmond["region"]["scholen"]["34CD01"].GetString() == std::string("Maaslyceum, locatie Schiedam (test)"));
    BOOST_TEST(!rijnmond["region"]["scholen"].HasMember("12AB00"));
    auto school = parse(gw.as("school-12AB", http::verb::get, "/v1/me").body);
    BOOST_TEST(school["vestigingen"].Size() == 2u);
    BOOST_TEST(school["vestigingen"][1]["vestiging"].GetString() == std::string("01"));
    BOOST_TEST(school["vestigingen"][1]["gemeente"].GetString() == std::string("0384"));
    BOOST_TEST(!school.HasMember("region"));
    BOOST_TEST(!school.HasMember("partijen"));
    auto auditor = parse(gw.as("auditor", http::verb::get, "/v1/me").body);
    BOOST_TEST(auditor["partijen"].MemberCount() == 11u);
    BOOST_TEST(auditor["partijen"]["00000099000000000100"].GetString() == std::string("DUO (Dienst Uitvoering Onderwijs)"));
    auto record = parse(gw.as("gemeente-0363", http::verb::get, "/v1/records/" + s.amsterdam_id).body);
    BOOST_TEST(record["record"]["senderName"].GetString() == std::string("Het Amstel College (test)"));
    auto namens = parse(gw.as("las-leverancier", http::verb::get, "/v1/me").body);
    BOOST_TEST(namens["mandates"][0]["principal"]["displayName"].GetString() == std::string("Het Amstel College (test)"));
}

BOOST_AUTO_TEST_CASE(a_policy_change_narrows_what_coordinators_read) {
    TempDir dir;
    std::filesystem::copy(source_dir() / "policies", dir.path / "policies");
    std::string policy = slurp(dir.path / "policies/sharing.json");
    const std::string from = R"("reads": { "scope": "region",)";
    BOOST_REQUIRE(policy.find(from) != std::string::npos);
    policy.replace(policy.find(from), from.size(), R"("reads": { "scope": "region", "berichttypen": ["vsv-melding"],)");
    write(dir.path / "policies/sharing.json", policy);
    Gateway gw([&](Config& c) { c.policies = dir.path / "policies"; });
    const Stored s(gw);
    BOOST_TEST(items_of(gw.as("coordinator-amsterdam", http::verb::get, "/v1/caseload")) == std::vector<std::string>{"VSV-000001"});
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + s.amsterdam_id).status == 404);
    BOOST_TEST(gw.as("coordinator-amsterdam", http::verb::get, "/v1/records/" + s.vsv_id).status == 200);
}

// Every route of interface.md as every dev party (intermediaries excepted: their mandates are not
// there yet): refused with 403 exactly where the contract's "who" column says so.
BOOST_AUTO_TEST_CASE(every_route_as_every_party) {
    Gateway gw;
    const Stored s(gw);
    // Each dev party as itself, and the intermediaries as themselves and for their principals
    // ("A>P": A sends with Namens: P) under the dev mandates.
    const std::vector<std::string> parties = {"duo",
                                              "school-12AB",
                                              "gemeente-0363",
                                              "coordinator-amsterdam",
                                              "auditor",
                                              "stranger",
                                              "las-leverancier",
                                              "rbl-amsterdam",
                                              "las-leverancier>school-12AB",
                                              "rbl-amsterdam>gemeente-0363",
                                              "rbl-amsterdam>gemeente-0384"};
    const std::map<std::string, std::string> oins = {{"school-12AB", "00000099000000000201"},
                                                     {"gemeente-0363", "00000099000000000363"},
                                                     {"gemeente-0384", "00000099000000000384"}};
    // What the dev mandates cover (interface.md, dev parties).
    const std::map<std::string, std::set<std::string>> mandate_endpoints = {{"las-leverancier>school-12AB", {"berichten", "validate", "meldingen"}},
                                                                            {"rbl-amsterdam>gemeente-0363",
                                                                             {"berichten", "validate", "meldingen", "caseload", "records"}},
                                                                            {"rbl-amsterdam>gemeente-0384", {"caseload", "records"}}};
    struct Route {
        http::verb method;
        std::string target, body;
        std::string endpoint;           // of the policy's role table; "public" for every registered party
        std::set<std::string> allowed;  // the parties (as themselves) that may use it
    };
    const std::set<std::string> registered = {"duo",     "school-12AB",     "gemeente-0363", "gemeente-0384", "coordinator-amsterdam",
                                              "auditor", "las-leverancier", "rbl-amsterdam"};
    const std::set<std::string> readers = {"gemeente-0363", "gemeente-0384", "coordinator-amsterdam"};
    const std::set<std::string> senders = {"duo", "school-12AB", "gemeente-0363", "gemeente-0384", "coordinator-amsterdam"};
    const std::set<std::string> validators = {"duo", "school-12AB", "gemeente-0363", "gemeente-0384", "coordinator-amsterdam", "auditor"};
    const std::set<std::string> auditor = {"auditor"};
    const std::vector<Route> routes = {
        {http::verb::post, "/v1/berichten", "{}", "berichten", senders},
        {http::verb::post, "/v1/validate", "{}", "validate", validators},
        {http::verb::get, "/v1/meldingen", "", "meldingen", senders},
        {http::verb::get, "/v1/caseload", "", "caseload", readers},
        {http::verb::get, "/v1/caseload/summary", "", "caseload", readers},
        {http::verb::get, "/v1/caseload/rapportage?van=2026-01-01&tot=2026-12-31", "", "caseload", readers},
        {http::verb::get, "/v1/records/" + s.amsterdam_id, "", "records", readers},
        {http::verb::post, "/v1/records/search", R"({"bsn":"291417772"})", "records", readers},
        {http::verb::get, "/v1/audit/entries", "", "audit", auditor},
        {http::verb::get, "/v1/audit/head", "", "audit", auditor},
        {http::verb::get, "/v1/audit/checkpoint", "", "audit", auditor},
        {http::verb::get, "/v1/audit/proof/inclusion?index=0&size=1", "", "audit", auditor},
        {http::verb::get, "/v1/audit/proof/consistency?from=1&to=2", "", "audit", auditor},
        {http::verb::post, "/v1/audit/subject-report", R"({"bsn":"291417772"})", "audit", auditor},
        {http::verb::get, "/v1/audit/keys", "", "public", registered},
        {http::verb::get, "/v1/openapi.json", "", "public", registered},
        {http::verb::get, "/v1/me", "", "public", registered},
        {http::verb::get, "/v1/logs", "", "public", registered},
        {http::verb::get, "/v1/verwerkingsregister", "", "public", registered},
        {http::verb::post, "/v1/processing-activities", R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"})", "audit", auditor},
    };
    for (const auto& r : routes)
        for (const auto& party : parties) {
            BOOST_TEST_CONTEXT(http::to_string(r.method) << " " << r.target << " as " << party) {
                const auto arrow = party.find('>');
                const std::string who = party.substr(0, arrow);
                const std::string principal = arrow == std::string::npos ? "" : party.substr(arrow + 1);
                TlsClient c(gw.port, who, dev_certs_dir());
                BOOST_REQUIRE(c.connect());
                std::map<std::string, std::string> headers;
                if (!principal.empty()) headers["Namens"] = oins.at(principal);
                const HttpReply reply = c.request(r.method, r.target, r.body, "application/json", headers);
                BOOST_TEST(reply.answered);
                // Expected from the contract: a principal's rights within what the mandate covers.
                std::string refusal;
                if (who == "stranger") refusal = "sender.unknown";
                else if (principal.empty() && (who == "las-leverancier" || who == "rbl-amsterdam")) {
                    if (r.endpoint != "public") refusal = "mandate.missing";
                } else if (!principal.empty() && r.endpoint != "public" && !mandate_endpoints.at(party).count(r.endpoint)) {
                    refusal = "mandate.not-permitted";
                } else if (!r.allowed.count(principal.empty() ? who : principal)) {
                    refusal = "sender.role-not-permitted";
                }
                if (refusal.empty()) {
                    BOOST_TEST(reply.status != 403, reply.body);
                    BOOST_TEST(reply.status < 500);
                } else {
                    BOOST_TEST(reply.status == 403);
                    BOOST_TEST(first_code(reply) == refusal);
                }
            }
        }
}

BOOST_AUTO_TEST_SUITE_END()
