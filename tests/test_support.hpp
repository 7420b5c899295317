#pragma once
// Helpers shared by the test suites: repository paths and temporary folders.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace dg::test {

inline std::filesystem::path source_dir() { return DG_SOURCE_DIR; }
inline std::filesystem::path examples_dir() {
    // The shared spec sits beside the repository; tests fall back to the copies in tests/vectors.
    auto shared = source_dir().parent_path() / "shared/spec/examples";
    return std::filesystem::exists(shared) ? shared : source_dir() / "tests/vectors/examples";
}

// Public test material from outside the project (JSONTestSuite, the ADR ruleset), beside the
// repository as the contract is. Required: a suite that cannot find it fails.
inline std::filesystem::path conformance_dir() {
    auto dir = source_dir().parent_path() / "shared/conformance";
    if (!std::filesystem::is_directory(dir)) throw std::runtime_error("no " + dir.string() + ": the conformance material is missing");
    return dir;
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// A fresh directory under the system temp dir, removed when the object goes.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / ("dg-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace dg::test
