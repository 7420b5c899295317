// The mandate loader (policies/mandates-dev.json beside the party registry): what it keeps, what
// it refuses (with file, JSON path and reason), and which mandate is in force on a day.
#include <boost/test/unit_test.hpp>

#include "core/json_util.hpp"
#include "policy/mandates.hpp"
#include "test_support.hpp"

using namespace dg;

namespace {

struct Fixture {
    std::shared_ptr<const PolicySet> policy = PolicySet::load(test::source_dir() / "policies");
    std::shared_ptr<const PartyRegistry> parties = PartyRegistry::load(test::source_dir() / "policies/parties-dev.json");
    test::TempDir dir;

    std::shared_ptr<const MandateRegistry> load(const std::string& json) const {
        test::write(dir.path / "mandates.json", json);
        return MandateRegistry::load(dir.path / "mandates.json", *parties, *policy);
    }
    void refused(const std::string& json, const std::string& fragment) const {
        try {
            load(json);
            BOOST_ERROR("no error for " + json);
        } catch (const FileError& e) {
            const std::string what = e.what();
            BOOST_TEST(what.find(fragment) != std::string::npos, what);
            BOOST_TEST(what.find((dir.path / "mandates.json").string()) != std::string::npos, what);
        }
    }
};

// One mandate of las-leverancier for school-12AB with `changes` spliced in as JSON members.
std::string one(const std::string& members = R"("berichttypen": ["verzuimmelding"], "endpoints": ["berichten"])",
                const std::string& from = "2026-01-01", const std::string& until = "2026-12-31", const std::string& principal = "school-12AB",
                const std::string& via = "las-leverancier") {
    return R"({"mandates": [{"intermediary": ")" + via + R"(", "principal": ")" + principal + R"(", "validFrom": ")" + from +
           R"(", "validUntil": ")" + until + R"(", )" + members + "}]}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mandates)

BOOST_FIXTURE_TEST_CASE(the_dev_mandates_are_those_of_the_interface_table, Fixture) {
    const auto reg = MandateRegistry::load(test::source_dir() / "policies/mandates-dev.json", *parties, *policy);
    const std::string las = "00000099000000000801", rbl = "00000099000000000802";
    BOOST_TEST(reg->size() == 4u);
    BOOST_TEST(reg->version().rfind("sha256:", 0) == 0u);
    // las-leverancier: school-12AB 2026-01-01 – 2027-12-31, all a school may send; school-34CD ended 2026-06-30.
    const Mandate* school = reg->find(las, "00000099000000000201", {2026, 12, 1});
    BOOST_REQUIRE(school);
    BOOST_TEST(school->valid_from.iso() == "2026-01-01");
    BOOST_TEST(school->valid_until.iso() == "2027-12-31");
    for (const auto& t : policy->type_names()) BOOST_TEST(school->covers_type(t) == policy->role_may_send("school", t), t);
    BOOST_TEST(!reg->find(las, "00000099000000000201", {2028, 1, 1}));
    BOOST_TEST(reg->find(las, "00000099000000000202", {2026, 6, 30}));
    BOOST_TEST(!reg->find(las, "00000099000000000202", {2026, 7, 1}));
    // rbl-amsterdam: gemeente-0363 send and read, gemeente-0384 read only.
    const Mandate* amsterdam = reg->find(rbl, "00000099000000000363", {2026, 12, 1});
    const Mandate* diemen = reg->find(rbl, "00000099000000000384", {2026, 12, 1});
    BOOST_REQUIRE(amsterdam);
    BOOST_REQUIRE(diemen);
    BOOST_TEST(amsterdam->covers_endpoint("berichten"));
    BOOST_TEST(amsterdam->covers_endpoint("caseload"));
    BOOST_TEST(diemen->berichttypen.empty());
    BOOST_TEST(!diemen->covers_endpoint("berichten"));
    BOOST_TEST(!diemen->covers_endpoint("validate"));
    BOOST_TEST(diemen->covers_endpoint("caseload"));
    BOOST_TEST(diemen->covers_endpoint("records"));
    BOOST_TEST(reg->of(las).size() == 2u);
    BOOST_TEST(reg->of("00000099000000000201").empty());  // a principal holds none
    BOOST_TEST(!reg->find(rbl, "00000099000000000201", {2026, 12, 1}));
}

BOOST_FIXTURE_TEST_CASE(a_mandate_is_in_force_from_its_first_to_its_last_day, Fixture) {
    const auto reg = load(one());
    const std::string las = "00000099000000000801", school = "00000099000000000201";
    BOOST_TEST(!reg->find(las, school, {2025, 12, 31}));
    BOOST_TEST(reg->find(las, school, {2026, 1, 1}));
    BOOST_TEST(reg->find(las, school, {2026, 12, 31}));
    BOOST_TEST(!reg->find(las, school, {2027, 1, 1}));
    // By OIN as well as by name; two periods after each other are fine.
    const auto two = load(R"({"mandates": [
        {"intermediary": "00000099000000000801", "principal": "00000099000000000201", "validFrom": "2026-01-01", "validUntil": "2026-06-30",
         "berichttypen": [], "endpoints": ["validate"]},
        {"intermediary": "las-leverancier", "principal": "school-12AB", "validFrom": "2026-07-01", "validUntil": "2026-12-31",
         "berichttypen": ["verzuimmelding"], "endpoints": ["berichten"]}]})");
    BOOST_TEST(two->find(las, school, {2026, 6, 30})->covers_endpoint("validate"));
    BOOST_TEST(two->find(las, school, {2026, 7, 1})->covers_endpoint("berichten"));
}

BOOST_FIXTURE_TEST_CASE(invalid_mandates_are_refused_with_file_path_and_reason, Fixture) {
    refused("{", "byte");
    refused(R"({"mandaten": []})", "/mandaten: unknown key");
    refused(R"({"mandates": {}})", "/mandates: must be an array");
    refused(one(R"("berichttypen": [], "endpoints": [], "validTil": "2027-01-01")"), "/mandates/0/validTil: unknown key");
    refused(one(R"("endpoints": [])"), "/mandates/0/berichttypen");  // required
    refused(one(R"("berichttypen": [])"), "/mandates/0/endpoints");
    refused(one(R"("berichttypen": [], "endpoints": [])", "2026-02-30"), "/mandates/0/validFrom: must be a date");
    refused(one(R"("berichttypen": [], "endpoints": [])", "2026-06-01", "2026-05-31"), "/mandates/0/validUntil: ends before it begins");
    refused(one(R"("berichttypen": [], "endpoints": [])", "2026-01-01", "2026-12-31", "school-99ZZ"),
            "/mandates/0/principal: 'school-99ZZ' is not a party of the registry");
    refused(one(R"("berichttypen": [], "endpoints": [])", "2026-01-01", "2026-12-31", "school-12AB", "00000099000000000999"),
            "/mandates/0/intermediary: '00000099000000000999' is not a party of the registry");
    refused(one(R"("berichttypen": [], "endpoints": [])", "2026-01-01", "2026-12-31", "school-12AB", "school-34CD"),
            "/mandates/0/intermediary: school-34CD has role school, not intermediary");
    refused(one(R"("berichttypen": [], "endpoints": [])", "2026-01-01", "2026-12-31", "rbl-amsterdam"),
            "/mandates/0/principal: an intermediary cannot be a principal");
    refused(one(R"("berichttypen": ["verzuimmelding", "verzuim"], "endpoints": ["berichten"])"),
            "/mandates/0/berichttypen/1: 'verzuim' is not a berichttype of the policy");
    refused(one(R"("berichttypen": ["trajectmelding"], "endpoints": ["berichten"])"),
            "/mandates/0/berichttypen/0: role school may not send trajectmelding");
    refused(one(R"("berichttypen": [], "endpoints": ["caseload"])"), "/mandates/0/endpoints/0: role school may not use endpoint 'caseload'");
    refused(one(R"("berichttypen": [], "endpoints": ["berichten", "berichten"])"), "/mandates/0/endpoints/1: 'berichten' listed twice");
    refused(one(R"("berichttypen": ["verzuimmelding"], "endpoints": []])"), "byte");
    refused(one(R"("berichttypen": ["verzuimmelding"], "endpoints": [])"), "/mandates/0/berichttypen: lists berichttypen but neither");
    refused(R"({"mandates": [
        {"intermediary": "las-leverancier", "principal": "school-12AB", "validFrom": "2026-01-01", "validUntil": "2026-06-30",
         "berichttypen": [], "endpoints": ["validate"]},
        {"intermediary": "las-leverancier", "principal": "school-12AB", "validFrom": "2026-06-30", "validUntil": "2026-12-31",
         "berichttypen": [], "endpoints": ["validate"]}]})",
            "/mandates/1: overlaps another mandate of las-leverancier for school-12AB");
}

BOOST_AUTO_TEST_SUITE_END()
