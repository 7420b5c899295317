#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include "audit/audit_entry.hpp"
#include "test_support.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(audit_entry)

BOOST_AUTO_TEST_CASE(pseudonym_is_hmac_sha256) {
    // RFC 4231 test case 2: HMAC-SHA-256(key "Jefe", "what do ya want for nothing?").
    Pseudonymizer p("Jefe");
    BOOST_TEST(p("what do ya want for nothing?") == "ps:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // RFC 4231 test case 6: a key longer than the block size is hashed first.
    Pseudonymizer long_key(std::string(131, '\xaa'));
    BOOST_TEST(long_key("Test Using Larger Than Block-Size Key - Hash Key First") ==
               "ps:60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    Pseudonymizer copy(p);
    BOOST_TEST(copy("what do ya want for nothing?") == p("what do ya want for nothing?"));
    Pseudonymizer other("another key of enough length 0123456789");
    BOOST_TEST(other("bsn:291417772") != p("bsn:291417772"));
    BOOST_TEST(other("bsn:291417772") == other("bsn:291417772"));
    BOOST_TEST(other("bsn:291417772").find("291417772") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(key_file_is_created_once_and_private) {
    test::TempDir dir;
    const auto file = dir.path / "keys/pseudonym.key";
    auto a = Pseudonymizer::from_key_file(file);
    auto b = Pseudonymizer::from_key_file(file);
    BOOST_TEST(a("bsn:1") == b("bsn:1"));
    const auto perms = std::filesystem::status(file).permissions();
    const bool private_to_owner = (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) == std::filesystem::perms::none;
    BOOST_TEST(private_to_owner);
}

BOOST_AUTO_TEST_CASE(canonical_json_has_sorted_keys_and_sorted_unique_sets) {
    AuditEvent e;
    e.time = "2026-11-23T09:00:00.000Z";
    e.action = "POST /v1/berichten";
    e.party_oin = "00000099000000000201";
    e.subjects = {"ps:b", "ps:a", "ps:b"};
    e.problem_codes = {"bsn.checksum", "brin.format", "bsn.checksum"};
    e.record_ids = {"2", "1"};
    e.status = 202;
    const std::string text = canonical_json(e);
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    BOOST_REQUIRE(doc.IsObject());
    std::string previous;
    for (const auto& m : doc.GetObject()) {
        const bool sorted = previous.compare(m.name.GetString()) < 0;
        BOOST_TEST(sorted, previous << " before " << m.name.GetString());
        previous = m.name.GetString();
    }
    BOOST_TEST(doc["subjects"].Size() == 2u);
    BOOST_TEST(std::string(doc["subjects"][0].GetString()) == "ps:a");
    BOOST_TEST(std::string(doc["problems"][0].GetString()) == "brin.format");
    BOOST_TEST(std::string(doc["recordIds"][0].GetString()) == "2");  // record order is kept
    BOOST_TEST(doc["status"].GetInt() == 202);
    BOOST_TEST(text.find("\n") == std::string::npos);
    BOOST_TEST(text.find(": ") == std::string::npos);
    BOOST_TEST(canonical_json(e) == text);  // deterministic
}

BOOST_AUTO_TEST_SUITE_END()
