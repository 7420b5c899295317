#include <sys/stat.h>
#include <boost/test/unit_test.hpp>

#include <thread>

#include "core/json_util.hpp"
#include "test_support.hpp"

using namespace dg;

BOOST_AUTO_TEST_SUITE(json_util)

// Gateways sharing a key directory may start at the same moment: one key wins and all use it.
BOOST_AUTO_TEST_CASE(a_secret_file_is_created_once_even_by_racing_processes) {
    test::TempDir dir;
    const auto file = dir.path / "keys" / "pseudonym.key";
    std::vector<std::thread> threads;
    std::vector<std::string> seen(8);
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            create_secret_file_once(file, "key-" + std::to_string(i) + "\n");
            seen[static_cast<std::size_t>(i)] = read_file(file);
        });
    for (auto& t : threads) t.join();
    const std::string winner = read_file(file);
    BOOST_TEST(winner.rfind("key-", 0) == 0u);
    for (const auto& s : seen) BOOST_TEST(s == winner);
    struct stat st {};
    BOOST_REQUIRE(stat(file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST(std::distance(std::filesystem::directory_iterator(file.parent_path()), {}) == 1);  // no temp files left
    create_secret_file_once(file, "another\n");                                                   // an existing key is never replaced
    BOOST_TEST(read_file(file) == winner);
}

BOOST_AUTO_TEST_SUITE_END()
