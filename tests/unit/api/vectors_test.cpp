// Table-driven: every file in tests/vectors/ is run through the ingest pipeline (readers, XSD and
// JSON Schema, policy) as its .expect says, and must give exactly the expected status and codes.
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>

#include "api/ingest.hpp"
#include "app/service.hpp"
#include "test_support.hpp"

using namespace dg;

namespace {

struct Expectation {
    std::string as;
    int status = 0;
    std::set<std::string> codes;
};

Expectation read_expect(const std::filesystem::path& file) {
    Expectation e;
    std::istringstream in(test::slurp(file));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("as: ", 0) == 0) e.as = line.substr(4);
        else if (line.rfind("status: ", 0) == 0) e.status = std::stoi(line.substr(8));
        else if (line.rfind("codes:", 0) == 0) {
            std::istringstream codes(line.substr(6));
            std::string c;
            while (codes >> c) e.codes.insert(c);
        }
    }
    return e;
}

struct Vectors {
    std::shared_ptr<const Snapshot> snapshot = [] {
        Config c = load_config(test::source_dir() / "gateway/config/dev.json");
        return load_snapshot(c);
    }();
    Pseudonymizer pseudonymize{std::string(40, 'k')};

    std::size_t run_dir(const std::filesystem::path& dir) {
        std::size_t n = 0;
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
            if (e.path().extension() == ".json" || e.path().extension() == ".xml") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            auto expect_file = std::filesystem::path(f.string() + ".expect");
            if (!std::filesystem::exists(expect_file)) expect_file = f.parent_path() / (f.stem().string() + ".expect");
            BOOST_REQUIRE_MESSAGE(std::filesystem::exists(expect_file), "no .expect for " << f);
            const Expectation e = read_expect(expect_file);
            const Party* party = snapshot->parties->find_by_name(e.as);
            BOOST_REQUIRE_MESSAGE(party, "unknown party in " << expect_file);
            IngestContext ctx{*snapshot, pseudonymize, {}, party, "2026-11-23T10:00:00.000Z", nullptr, {}, false, nullptr};
            const IngestResult r = ingest(test::slurp(f), f.extension() == ".xml" ? WireFormat::Xml : WireFormat::Json, ctx);
            std::set<std::string> codes;
            for (const auto& p : r.message_problems) codes.insert(p.code);
            for (const auto& rej : r.rejected)
                for (const auto& p : rej.problems) {
                    codes.insert(p.code);
                    BOOST_TEST(p.path.rfind("/meldingen/", 0) == 0u, f.filename() << " " << p.path);
                    BOOST_TEST(!p.melding_id.empty(), f.filename());
                }
            BOOST_TEST_CONTEXT(std::filesystem::relative(f, dir).string()) {
                BOOST_TEST(http_status(r.outcome) == e.status);
                BOOST_TEST((codes == e.codes));
            }
            ++n;
        }
        return n;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(vectors, Vectors)

BOOST_AUTO_TEST_CASE(every_berichttype_valid_and_invalid_in_both_formats) {
    std::size_t n = 0;
    for (const char* t :
         {"verzuimmelding", "vsv-melding", "trajectmelding", "vrijstelling", "verhuizing", "intrekking", "wijziging", "onderwijsgebeurtenis"}) {
        const auto dir = test::source_dir() / "tests/vectors" / t;
        BOOST_REQUIRE(std::filesystem::exists(dir / "valid"));
        BOOST_REQUIRE(std::filesystem::exists(dir / "invalid"));
        n += run_dir(dir);
    }
    BOOST_TEST(n >= 120u);
}

BOOST_AUTO_TEST_CASE(the_hostile_set_is_refused) { BOOST_TEST(run_dir(test::source_dir() / "tests/vectors/hostile") >= 16u); }

BOOST_AUTO_TEST_SUITE_END()
