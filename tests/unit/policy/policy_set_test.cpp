#include <boost/test/unit_test.hpp>

#include <set>

#include "core/json_util.hpp"
#include "policy/policy_set.hpp"
#include "test_support.hpp"

using namespace dg;

namespace {

using Spec = std::vector<std::pair<std::string, std::string>>;

// Values: "#18" is a number, "true"/"false" booleans, everything else a string.
Melding record(const Spec& spec, const std::string& id = "M-1") {
    Melding m;
    m.melding_id = id;
    m.has_melding_id = true;
    for (const auto& [path, v] : spec) {
        if (!v.empty() && v[0] == '#') m.fields.push_back({path, {ValueKind::Number, v.substr(1)}});
        else if (v == "true" || v == "false") m.fields.push_back({path, {ValueKind::Bool, v}});
        else m.fields.push_back({path, {ValueKind::String, v}});
    }
    return m;
}

Spec with(Spec base, const Spec& changes) {
    for (const auto& [path, v] : changes) {
        bool found = false;
        for (auto& f : base)
            if (f.first == path) {
                f.second = v;
                found = true;
            }
        if (!found) base.emplace_back(path, v);
    }
    return base;
}

Spec without(Spec base, const std::string& path) {
    std::erase_if(base, [&](const auto& f) { return f.first == path; });
    return base;
}

const Spec kVerzuim = {{"leerling/bsn", "291417772"},
                       {"leerling/geboortedatum", "2012-04-01"},
                       {"leerling/woongemeente", "0363"},
                       {"school/brin", "12AB"},
                       {"school/vestiging", "00"},
                       {"verzuim/soort", "16-uur"},
                       {"verzuim/van", "2026-10-26"},
                       {"verzuim/tot", "2026-11-13"},
                       {"verzuim/uren", "#18"}};
const Spec kVsv = {{"leerling/bsn", "011524492"},     {"leerling/geboortedatum", "2007-05-30"},
                   {"leerling/woongemeente", "0599"}, {"school/brin", "34CD"},
                   {"school/vestiging", "00"},        {"uitschrijfdatum", "2026-08-01"},
                   {"hoogsteNiveau", "mbo-1"},        {"startkwalificatie", "false"}};
const Spec kTraject = {{"leerling/bsn", "291417772"},
                       {"leerling/geboortedatum", "2012-04-01"},
                       {"leerling/woongemeente", "0363"},
                       {"datum", "2026-11-20"},
                       {"status", "in-behandeling"}};
const Spec kVrijstelling = {{"leerling/bsn", "398259793"},
                            {"leerling/geboortedatum", "2016-02-14"},
                            {"leerling/woongemeente", "0363"},
                            {"grond", "5b"},
                            {"van", "2026-09-01"},
                            {"tot", "2027-07-31"}};
const Spec kVerhuizing = {{"leerling/bsn", "291417772"},
                          {"leerling/geboortedatum", "2012-04-01"},
                          {"oudeGemeente", "0363"},
                          {"nieuweGemeente", "0599"},
                          {"datum", "2026-11-20"}};
const Spec kIntrekking = {{"betreft", "VZ-2026-0002"}, {"reden", "foutief"}};

struct Fixture {
    std::shared_ptr<const PolicySet> policy = PolicySet::load(test::source_dir() / "policies");
    std::shared_ptr<const PartyRegistry> parties = PartyRegistry::load(test::source_dir() / "policies/parties-dev.json");
    std::shared_ptr<const RegionTable> regions = RegionTable::load(test::source_dir() / "gateway/config/regions-dev.csv").table;
    const Date sent{2026, 11, 23};
    const Date today{2026, 11, 24};  // the day received: the caller's clock, never the machine's

    const Party* party(const std::string& name) const {
        static const std::map<std::string, std::string> oins = {{"duo", "00000099000000000100"},
                                                                {"school-12AB", "00000099000000000201"},
                                                                {"school-34CD", "00000099000000000202"},
                                                                {"gemeente-0363", "00000099000000000363"},
                                                                {"gemeente-0599", "00000099000000000599"},
                                                                {"coordinator-amsterdam", "00000099000000000901"},
                                                                {"coordinator-rijnmond", "00000099000000000902"},
                                                                {"auditor", "00000099000000000950"}};
        return parties->find(oins.at(name));
    }

    std::set<std::string> codes(const std::string& type, const Spec& spec, const std::string& sender = "duo", const PolicySet* p = nullptr) const {
        const PolicySet& ps = p ? *p : *policy;
        Decision d = ps.decide(*ps.type(type), sent, today, record(spec), party(sender), *regions);
        std::set<std::string> out;
        for (const auto& pr : d.problems) out.insert(pr.code);
        return out;
    }
};

using Codes = std::set<std::string>;
const Codes kOk;

}  // namespace

BOOST_FIXTURE_TEST_SUITE(policy_set, Fixture)

BOOST_AUTO_TEST_CASE(shipped_policy_loads_with_a_content_version) {
    BOOST_TEST(policy->version().rfind("sha256:", 0) == 0u);
    BOOST_TEST(policy->version().size() == 23u);
    for (const char* t :
         {"verzuimmelding", "vsv-melding", "trajectmelding", "vrijstelling", "verhuizing", "intrekking", "wijziging", "onderwijsgebeurtenis"})
        BOOST_TEST(policy->type(t) != nullptr, t);
    BOOST_TEST(!policy->type("onbekend"));
    BOOST_TEST(policy->type("verzuimmelding")->legal_basis.find("Leerplichtwet") != std::string::npos);
}

// role x berichttype x scope, as the catalogue says.
BOOST_AUTO_TEST_CASE(decision_table_roles_and_scopes) {
    struct Row {
        const char* type;
        Spec spec;
        const char* sender;
        Codes expect;
    };
    const std::vector<Row> table = {
        {"verzuimmelding", kVerzuim, "school-12AB", kOk},
        {"verzuimmelding", with(kVerzuim, {{"school/brin", "34CD"}}), "school-12AB", {"scope.not-own-brin"}},
        {"verzuimmelding", kVerzuim, "school-34CD", {"scope.not-own-brin"}},
        {"verzuimmelding", kVerzuim, "duo", kOk},
        {"verzuimmelding", kVerzuim, "gemeente-0363", {"sender.role-not-permitted"}},
        {"verzuimmelding", kVerzuim, "coordinator-amsterdam", {"sender.role-not-permitted"}},
        {"verzuimmelding", kVerzuim, "auditor", {"sender.role-not-permitted"}},
        {"vsv-melding", kVsv, "duo", kOk},
        {"vsv-melding", kVsv, "school-34CD", kOk},
        {"vsv-melding", kVsv, "school-12AB", {"scope.not-own-brin"}},
        {"vsv-melding", kVsv, "gemeente-0599", {"sender.role-not-permitted"}},
        {"trajectmelding", kTraject, "gemeente-0363", kOk},
        {"trajectmelding", with(kTraject, {{"leerling/woongemeente", "0599"}}), "gemeente-0363", {"scope.not-own-resident"}},
        {"trajectmelding", kTraject, "gemeente-0599", {"scope.not-own-resident"}},
        {"trajectmelding", kTraject, "school-12AB", {"sender.role-not-permitted"}},
        {"trajectmelding", kTraject, "duo", {"sender.role-not-permitted"}},
        // Coordinators register trajecten about pupils of their own region (0363 and 0384).
        {"trajectmelding", kTraject, "coordinator-amsterdam", kOk},
        {"trajectmelding", with(kTraject, {{"leerling/woongemeente", "0384"}}), "coordinator-amsterdam", kOk},
        {"trajectmelding", kTraject, "coordinator-rijnmond", {"scope.not-own-region"}},
        {"trajectmelding", with(kTraject, {{"leerling/woongemeente", "0599"}}), "coordinator-amsterdam", {"scope.not-own-region"}},
        {"vrijstelling", kVrijstelling, "gemeente-0363", kOk},
        {"vrijstelling", kVrijstelling, "gemeente-0599", {"scope.not-own-resident"}},
        {"vrijstelling", kVrijstelling, "duo", {"sender.role-not-permitted"}},
        {"verhuizing", kVerhuizing, "gemeente-0599", kOk},
        {"verhuizing", kVerhuizing, "gemeente-0363", {"scope.not-own-resident"}},  // the old gemeente may not
        {"verhuizing", kVerhuizing, "duo", kOk},
        {"verhuizing", kVerhuizing, "school-12AB", {"sender.role-not-permitted"}},
        {"intrekking", kIntrekking, "school-12AB", kOk},
        {"intrekking", kIntrekking, "gemeente-0363", kOk},
        {"intrekking", kIntrekking, "coordinator-amsterdam", {"sender.role-not-permitted"}},
    };
    for (const auto& row : table) {
        BOOST_TEST_CONTEXT(row.type << " from " << row.sender) { BOOST_TEST(codes(row.type, row.spec, row.sender) == row.expect); }
    }
    for (const char* role : {"duo", "school", "gemeente", "coordinator"}) BOOST_TEST(policy->role_may_use(role, "berichten"));
    BOOST_TEST(!policy->role_may_use("auditor", "berichten"));
    BOOST_TEST(policy->role_may_use("coordinator", "caseload"));
    BOOST_TEST(!policy->role_may_use("school", "caseload"));
    BOOST_TEST(!policy->role_may_send("coordinator", "verzuimmelding"));
}

BOOST_AUTO_TEST_CASE(age_edges_on_the_reference_date) {
    // verzuimmelding: 5 <= age < 18 on verzuim/van (born 2012-04-01 in kVerzuim, so shift the birth date).
    auto at = [&](const std::string& birth, const std::string& soort = "luxe") {
        return codes("verzuimmelding", with(kVerzuim, {{"leerling/geboortedatum", birth},
                                                       {"verzuim/soort", soort},
                                                       {"verzuim/van", "2026-10-26"},
                                                       {"verzuim/tot", "2026-10-30"}}));
    };
    const Codes age = {"subject.age-out-of-range"};
    BOOST_TEST(at("2008-10-27") == kOk);  // 17 on van: turns 18 the day after
    BOOST_TEST(at("2008-10-26") == age);  // 18th birthday on van
    BOOST_TEST(at("2021-10-26") == kOk);  // 5th birthday on van
    BOOST_TEST(at("2021-10-27") == age);  // 4 on van: turns 5 the day after
    BOOST_TEST(at("2008-10-26", "18-plus") == kOk);
    BOOST_TEST(at("2008-10-27", "18-plus") == age);
    BOOST_TEST(at("1999-10-27", "18-plus") == kOk);  // 26
    BOOST_TEST(at("1999-10-26", "18-plus") == age);  // 27th birthday
    // vsv-melding: 12 <= age < 27 on uitschrijfdatum.
    BOOST_TEST(codes("vsv-melding", with(kVsv, {{"leerling/geboortedatum", "1999-08-02"}})) == kOk);
    BOOST_TEST(codes("vsv-melding", with(kVsv, {{"leerling/geboortedatum", "1999-08-01"}})) == age);
    BOOST_TEST(codes("vsv-melding", with(kVsv, {{"leerling/geboortedatum", "2014-08-01"}})) == kOk);
    BOOST_TEST(codes("vsv-melding", with(kVsv, {{"leerling/geboortedatum", "2014-08-02"}})) == age);
}

BOOST_AUTO_TEST_CASE(verzuim_threshold_edges) {
    const Codes thr = {"verzuim.threshold"};
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/uren", "#16"}})) == kOk);
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/uren", "#15"}})) == thr);
    BOOST_TEST(codes("verzuimmelding", without(kVerzuim, "verzuim/uren")) == thr);
    // 16-uur within 4 weeks: at most 28 days from van to tot.
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/van", "2026-10-16"}, {"verzuim/tot", "2026-11-13"}})) == kOk);
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/van", "2026-10-15"}, {"verzuim/tot", "2026-11-13"}})) == thr);
    // langdurig: more than 28 days.
    const Spec lang = with(kVerzuim, {{"verzuim/soort", "langdurig"}});
    BOOST_TEST(codes("verzuimmelding", with(lang, {{"verzuim/van", "2026-10-15"}, {"verzuim/tot", "2026-11-13"}})) == kOk);
    BOOST_TEST(codes("verzuimmelding", with(lang, {{"verzuim/van", "2026-10-16"}, {"verzuim/tot", "2026-11-13"}})) == thr);
}

BOOST_AUTO_TEST_CASE(forbidden_fields_and_combinations) {
    const Codes np = {"field.not-permitted"};
    BOOST_TEST(codes("vrijstelling", with(kVrijstelling, {{"toelichting", "x"}}), "gemeente-0363") == kOk);
    BOOST_TEST(codes("vrijstelling", with(kVrijstelling, {{"grond", "5a"}, {"toelichting", "x"}}), "gemeente-0363") == np);
    BOOST_TEST(codes("vrijstelling", with(kVrijstelling, {{"grond", "5a"}}), "gemeente-0363") == kOk);
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"leerling/naam", "Jan"}})) == np);
    BOOST_TEST(codes("vsv-melding", with(kVsv, {{"toelichting", "x"}})) == np);
    BOOST_TEST(codes("trajectmelding", with(kTraject, {{"afsluitreden", "verhuisd"}}), "gemeente-0363") == np);
    BOOST_TEST(codes("trajectmelding", with(kTraject, {{"status", "afgesloten"}, {"afsluitreden", "verhuisd"}}), "gemeente-0363") == kOk);
    BOOST_TEST(codes("vsv-melding", with(kVsv, {{"startkwalificatie", "true"}})) == Codes{"vsv.has-startkwalificatie"});
}

BOOST_AUTO_TEST_CASE(every_problem_of_a_record_is_reported) {
    const Spec bad = with(
        kVerzuim,
        {{"leerling/bsn", "291417773"}, {"school/brin", "12ab"}, {"leerling/woongemeente", "9999"}, {"verzuim/van", "2026-02-30"}, {"extra", "x"}});
    BOOST_TEST(codes("verzuimmelding", bad) == (Codes{"bsn.checksum", "brin.format", "gemeente.unknown", "date.invalid", "field.not-permitted"}));
    Decision d = policy->decide(*policy->type("verzuimmelding"), sent, today, record(bad, "VZ-9"), party("duo"), *regions);
    for (const auto& p : d.problems) {
        BOOST_TEST(p.melding_id == "VZ-9");
        BOOST_TEST(p.path.rfind("/meldingen/0", 0) == 0u);
        BOOST_TEST(p.detail.find("291417773") == std::string::npos);  // never echo the number
    }
}

BOOST_AUTO_TEST_CASE(identifier_dates_and_periods) {
    BOOST_TEST(codes("verzuimmelding", without(kVerzuim, "leerling/bsn")) == Codes{"leerling.identifier"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"leerling/onderwijsnummer", "101222331"}})) == Codes{"leerling.identifier"});
    BOOST_TEST(codes("verzuimmelding", with(without(kVerzuim, "leerling/bsn"), {{"leerling/onderwijsnummer", "101222332"}})) ==
               Codes{"onderwijsnummer.checksum"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/van", "2026-11-14"}})) == Codes{"period.invalid"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/van", "2026-11-01"}, {"verzuim/tot", "2026-11-24"}})) == Codes{"period.invalid"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"leerling/geboortedatum", "2026-11-24"}})).count("date.invalid") == 1u);
    BOOST_TEST(codes("vrijstelling", with(kVrijstelling, {{"tot", "2026-08-31"}}), "gemeente-0363") == Codes{"period.invalid"});
    BOOST_TEST(codes("verzuimmelding", without(kVerzuim, "school/vestiging")) == Codes{"message.schema"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/uren", "18"}})).count("message.schema") == 1u);  // string, not number
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"verzuim/soort", "lui"}})) == Codes{"message.schema"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"toelichting", std::string(501, 'x')}})) == Codes{"message.schema"});
    BOOST_TEST(codes("verzuimmelding", with(kVerzuim, {{"toelichting", std::string(500, 'x')}})) == kOk);
}

BOOST_AUTO_TEST_CASE(routing_and_retention) {
    Decision d = policy->decide(*policy->type("verzuimmelding"), sent, today, record(kVerzuim), party("school-12AB"), *regions);
    BOOST_TEST(d.region.code == "90");
    BOOST_TEST(d.gemeente == "0363");
    BOOST_TEST(d.subject == "bsn:291417772");
    BOOST_TEST(d.retention_until == "2031-11-13");  // 5 years after verzuim/tot
    Decision v = policy->decide(*policy->type("verhuizing"), sent, today, record(kVerhuizing), party("duo"), *regions);
    BOOST_TEST(v.region.code == "91");  // the new woongemeente decides
    Decision s = policy->decide(*policy->type("vsv-melding"), sent, today, record(kVsv), party("duo"), *regions);
    BOOST_TEST(s.retention_until == "2035-05-30");  // until the 28th birthday
    // Counted from the day received as the caller states it: lopend verzuim (no verzuim/tot) is
    // kept 5 years from then (policies/sharing.json, ifMissing "received"), a move's notice 1 year.
    const Spec lopend = with(without(kVerzuim, "verzuim/tot"), {{"verzuim/soort", "langdurig"}, {"verzuim/van", "2026-09-01"}});
    Decision l = policy->decide(*policy->type("verzuimmelding"), sent, Date{2027, 1, 2}, record(lopend), party("school-12AB"), *regions);
    BOOST_TEST(l.allowed());
    BOOST_TEST(l.retention_until == "2032-01-02");
    Decision n = policy->decide(*policy->type("verhuizing"), sent, Date{2028, 2, 29}, record(kVerhuizing), party("duo"), *regions);
    BOOST_TEST(n.notice_until == "2029-02-28");
    // A refused record gets no retention at all.
    Decision r = policy->decide(*policy->type("verzuimmelding"), sent, today, record(with(kVerzuim, {{"leerling/bsn", "123456789"}})),
                                party("school-12AB"), *regions);
    BOOST_TEST(!r.allowed());
    BOOST_TEST(r.retention_until.empty());
}

BOOST_AUTO_TEST_CASE(iso_dates_are_zero_padded) {
    BOOST_TEST(Date({2026, 1, 5}).iso() == "2026-01-05");
    BOOST_TEST(Date({999, 12, 31}).iso() == "0999-12-31");
    BOOST_TEST(Date({10000, 1, 1}).iso() == "10000-01-01");  // outside the four-digit years: printf's own form
    BOOST_TEST(Date::from_days(0).iso() == "1970-01-01");
}

BOOST_AUTO_TEST_CASE(explain_trail_names_each_rule) {
    std::vector<std::string> trail;
    policy->decide(*policy->type("verzuimmelding"), sent, today, record(kVerzuim), party("school-12AB"), *regions, &trail);
    bool age = false, threshold = false, scope = false;
    for (const auto& line : trail) {
        age = age || line.rfind("age ", 0) == 0;
        threshold = threshold || line.find("verzuim.threshold") != std::string::npos;
        scope = scope || line.find("scope school -> own-brin on school/brin: ok") != std::string::npos;
    }
    BOOST_TEST(age);
    BOOST_TEST(threshold);
    BOOST_TEST(scope);
}

BOOST_AUTO_TEST_CASE(changing_the_policy_file_changes_behaviour_without_code) {
    test::TempDir dir;
    std::string text = test::slurp(test::source_dir() / "policies/sharing.json");
    const std::string from = R"("field": "verzuim/uren", "min": 16)";
    BOOST_REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), R"("field": "verzuim/uren", "min": 20)");
    const std::string age_from = R"("reference": "uitschrijfdatum", "min": 12, "below": 27)";
    BOOST_REQUIRE(text.find(age_from) != std::string::npos);
    text.replace(text.find(age_from), age_from.size(), R"("reference": "uitschrijfdatum", "min": 12, "below": 23)");
    test::write(dir.path / "sharing.json", text);
    auto changed = PolicySet::load(dir.path);
    BOOST_TEST(changed->version() != policy->version());
    BOOST_TEST(codes("verzuimmelding", kVerzuim) == kOk);  // 18 hours
    BOOST_TEST(codes("verzuimmelding", kVerzuim, "duo", changed.get()) == Codes{"verzuim.threshold"});
    const Spec age25 = with(kVsv, {{"leerling/geboortedatum", "2001-05-30"}});
    BOOST_TEST(codes("vsv-melding", age25) == kOk);
    BOOST_TEST(codes("vsv-melding", age25, "duo", changed.get()) == Codes{"subject.age-out-of-range"});
}

BOOST_AUTO_TEST_CASE(invalid_policy_files_stop_with_file_path_and_reason) {
    const std::string good = test::slurp(test::source_dir() / "policies/sharing.json");
    auto expect = [&](const std::string& from, const std::string& to, const std::string& fragment) {
        test::TempDir dir;
        std::string text = good;
        BOOST_REQUIRE_MESSAGE(text.find(from) != std::string::npos, from);
        text.replace(text.find(from), from.size(), to);
        test::write(dir.path / "sharing.json", text);
        try {
            PolicySet::load(dir.path);
            BOOST_ERROR("accepted: " + to);
        } catch (const FileError& e) {
            BOOST_TEST(std::string(e.what()).find(fragment) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find("sharing.json") != std::string::npos);
        }
    };
    expect(R"("verzuim/uren": "count")", R"("verzuim/uren": "getal")", "/berichttypen/verzuimmelding/fields/verzuim/uren");
    expect(R"("field": "verzuim/uren", "min": 16)", R"("field": "verzuim/urne", "min": 16)", "verzuim/urne");
    expect(R"("scope": "own-brin", "field": "school/brin" },
        "duo":    { "scope": "national" })",
           R"("scope": "own-school", "field": "school/brin" },
        "duo":    { "scope": "national" })",
           "unknown scope");
    expect(R"("roles": {)", R"("roles": { "koning": {"endpoints": []},)", "unknown role");
    expect(R"("endpoints": ["berichten", "validate", "meldingen", "caseload", "records"],)",
           R"("endpoints": ["validate", "caseload", "records", "lezen"],)", "unknown endpoint");
    expect(R"("textMaxLength": 500)", R"("textMaxLength": "veel")", "/textMaxLength");
    expect(R"("require": "verzuim/tot",)", R"("require": "verzuim/einde",)", "verzuim/einde");
    expect(R"("toOrSent": true,)", R"("toOrSent": "ja",)", "toOrSent: must be true or false");
    expect(R"("ifMissing": "received")", R"("ifMissing": "sent")", "retention/ifMissing");
    expect(R"("min": 5, "below": 18 })", R"("min": 18, "below": 5 })", "min < below");
    expect(R"("roles": {)", R"("roles": [)", "byte");
    // A rule can only give a code the catalogue has: a misspelt one would reach senders as is.
    expect(R"("code": "vsv.has-startkwalificatie")", R"("code": "vsv.has-startkwalifikatie")", "is not a code of the catalogue");
    // Keys the loader does not know are refused at every level, naming file and path: "wen" for
    // "when" on a rule would otherwise apply it to every record.
    expect(R"("unless": { "status": "afgesloten" })", R"("wen": { "status": "afgesloten" })",
           "/berichttypen/trajectmelding/rules/0/wen: unknown key");
    expect(R"("textMaxLength": 500)", R"("textMaxLength": 500, "textMaxLenght": 400)", "/textMaxLenght: unknown key");
    expect(R"("scope": "own-brin", "field": "school/brin" })", R"("scope": "own-brin", "feld": "school/brin" })",
           "/senders/school/feld: unknown key");
    expect(R"("retention": { "untilAge": 28 })", R"("retention": { "untilAge": 28, "jaren": 3 })", "/retention/jaren: unknown key");
    expect(R"("endpoints": ["berichten", "validate", "meldingen"],)", R"("endpoints": ["berichten", "validate", "meldingen"], "endpunten": [],)",
           "/endpunten: unknown key");
    // The tombstone's status is policy data: a withdraw effect must name it, and only it may.
    expect(R"("target": "betreft", "tombstone": { "status": "ingetrokken" } })", R"("target": "betreft" })",
           "/berichttypen/intrekking/effect/tombstone: is required");
    expect(R"("tombstone": { "status": "ingetrokken" })", R"("tombstone": { "staat": "ingetrokken" })", "/effect/tombstone/staat: unknown key");
    expect(R"("kind": "move", "from": "oudeGemeente",)", R"("kind": "move", "tombstone": { "status": "x" }, "from": "oudeGemeente",)",
           "only a withdraw effect leaves a tombstone");
    // A status effect: its status from a field or set, not both; what it concerns must exist.
    expect(R"("kind": "status", "set": "afgesloten",)", R"("kind": "status", "set": "afgesloten", "status": "gebeurtenis",)", "exactly one");
    expect(R"({ "berichttype": "vsv-melding" },)", R"({ "berichttype": "vsv-meldingen" },)",
           "/effect/of/0/berichttype: unknown berichttype 'vsv-meldingen'");
    expect(R"("when": { "verzuim/soort": "18-plus" } } ],)", R"("when": { "verzuim/sort": "18-plus" } } ],)",
           "/effect/of/1/when: names 'verzuim/sort'");
    expect(R"("reason": { "field": "gebeurtenis", "as": "afsluitreden" },)", R"("reason": { "field": "gebeurtenissen", "as": "afsluitreden" },)",
           "/effect/reason/field");
    expect(R"("inCaseload": true })", R"("inCaseload": "ja" })", "/effect/inCaseload: must be true or false");
    expect(R"("effect": { "kind": "status", "target": "betreft", "status": "status" },)",
           R"("effect": { "kind": "status", "target": "betreft", "status": "status", "of": [ { "berichttype": "vsv-melding" } ] },)",
           "a status effect with a target concerns that record only");
    expect(R"("kind": "withdraw", "target": "betreft",)", R"("kind": "withdraw", "inCaseload": true, "target": "betreft",)",
           "/effect/inCaseload: only a status effect has this key");
}

BOOST_AUTO_TEST_CASE(withdrawal_carries_the_policys_tombstone_status) {
    BOOST_TEST((policy->type("intrekking")->effect_kind == TypePolicy::Effect::Withdraw));
    BOOST_TEST(policy->type("intrekking")->tombstone_status == "ingetrokken");  // policies/sharing.json
    BOOST_TEST((policy->type("verhuizing")->effect_kind == TypePolicy::Effect::Move));
    BOOST_TEST((policy->type("trajectmelding")->effect_kind == TypePolicy::Effect::Status));
    BOOST_TEST((policy->type("verzuimmelding")->effect_kind == TypePolicy::Effect::None));
}

BOOST_AUTO_TEST_SUITE_END()
