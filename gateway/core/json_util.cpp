#include "core/json_util.hpp"

#include <algorithm>

#include <openssl/evp.h>
#include <rapidjson/error/en.h>

#include "core/sha256.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>

#include <sstream>
#include "core/hex.hpp"

namespace dg {

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw FileError(file, "", "cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void create_secret_file_once(const std::filesystem::path& file, std::string_view content) {
    if (std::filesystem::exists(file)) return;
    std::filesystem::create_directories(file.parent_path());
    static std::atomic<unsigned> serial{0};
    const std::string tmp = file.string() + ".new." + std::to_string(getpid()) + "." + std::to_string(serial++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw FileError(file, "", "cannot be created");
    const bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
    ::close(fd);
    // link() fails with EEXIST when another process was first: then its key is the key.
    const bool linked = written && (::link(tmp.c_str(), file.c_str()) == 0 || errno == EEXIST);
    ::unlink(tmp.c_str());
    if (!linked) throw FileError(file, "", "cannot be written");
}

void replace_file_durably(const std::filesystem::path& file, std::string_view content) {
    std::filesystem::create_directories(file.parent_path());
    const std::string tmp = file.string() + ".tmp." + std::to_string(getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw FileError(file, "", "cannot be written");
    const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw FileError(file, "", "cannot be written");
    }
    const int dir = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

rapidjson::Document parse_json_file(const std::filesystem::path& file, std::string* text_out) {
    std::string text = read_file(file);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseCommentsFlag>(text.data(), text.size());
    if (doc.HasParseError()) throw FileError(file, "byte " + std::to_string(doc.GetErrorOffset()), rapidjson::GetParseError_En(doc.GetParseError()));
    if (!doc.IsObject()) throw FileError(file, "/", "must be a JSON object");
    if (text_out) *text_out = std::move(text);
    return doc;
}

const rapidjson::Value& member(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, std::string_view at) {
    if (!obj.IsObject()) throw FileError(file, at, "must be an object");
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) throw FileError(file, std::string(at) + "/" + key, "is required");
    return it->value;
}

void only_keys(const std::filesystem::path& file, const rapidjson::Value& obj, std::string_view at, std::initializer_list<std::string_view> known) {
    if (!obj.IsObject()) throw FileError(file, at, "must be an object");
    for (const auto& m : obj.GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        if (key.starts_with("comment") || std::find(known.begin(), known.end(), key) != known.end()) continue;
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        throw FileError(file, std::string(at) + "/" + std::string(key), "unknown key (known here: " + list + ")");
    }
}

std::string string_member(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, std::string_view at) {
    const auto& v = member(file, obj, key, at);
    if (!v.IsString()) throw FileError(file, std::string(at) + "/" + key, "must be a string");
    return {v.GetString(), v.GetStringLength()};
}

std::string optional_string(const rapidjson::Value& obj, const char* key, std::string fallback) {
    if (!obj.IsObject()) return fallback;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return fallback;
    return {it->value.GetString(), it->value.GetStringLength()};
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[32];
    sha256({data}, md);
    return to_hex(md, sizeof md);
}

}  // namespace dg
