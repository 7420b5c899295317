#pragma once
// Small helpers around RapidJSON: loading config/policy files with clear errors, writing strings.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dg {

// A start-up or reload failure in a data file: which file, where in it, and why.
struct FileError : std::runtime_error {
    FileError(const std::filesystem::path& file, std::string_view where, std::string_view why)
        : std::runtime_error(file.string() + (where.empty() ? "" : std::string(": ") + std::string(where)) + ": " + std::string(why)) {}
};

std::string read_file(const std::filesystem::path& file);
// Creates a key file (mode 0600, synced) with `content` unless it exists; safe when several
// gateway processes sharing a key directory start at once: exactly one content wins, all read it.
void create_secret_file_once(const std::filesystem::path& file, std::string_view content);
// Replaces `file` with `content` (mode 0600) so that either the old or the new content survives a
// crash: written to a temporary file, fsynced, renamed over it, the folder fsynced.
void replace_file_durably(const std::filesystem::path& file, std::string_view content);
rapidjson::Document parse_json_file(const std::filesystem::path& file, std::string* text_out = nullptr);

// Required/optional member access that throws FileError naming the JSON path.
const rapidjson::Value& member(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, std::string_view at);
std::string string_member(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, std::string_view at);
std::string optional_string(const rapidjson::Value& obj, const char* key, std::string fallback = {});
// A configuration object holds only the keys its loader knows: anything else (a typo such as
// "wen" for "when" would otherwise be ignored, and change what the file means) is refused,
// naming the file and the key. Keys starting with "comment" are for people.
void only_keys(const std::filesystem::path& file, const rapidjson::Value& obj, std::string_view at, std::initializer_list<std::string_view> known);

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
inline void write_string(JsonWriter& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
inline void write_kv(JsonWriter& w, std::string_view k, std::string_view v) {
    write_string(w, k);
    write_string(w, v);
}

std::string sha256_hex(std::string_view data);

}  // namespace dg
