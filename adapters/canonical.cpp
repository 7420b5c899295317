#include "canonical.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace dg {

std::string melding_path(std::size_t index, std::string_view field_path) {
    std::string p = "/meldingen/" + std::to_string(index);
    if (!field_path.empty()) {
        p += '/';
        p += field_path;
    }
    return p;
}

namespace {

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        auto pos = path.find('/', start);
        out.push_back(path.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

}  // namespace

std::string melding_to_json(const Melding& m) {
    std::vector<const Field*> sorted;
    sorted.reserve(m.fields.size() + 1);
    Field id{"meldingId", {ValueKind::String, m.melding_id}};
    if (m.has_melding_id) sorted.push_back(&id);
    for (const auto& f : m.fields) sorted.push_back(&f);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Field* a, const Field* b) { return a->path < b->path; });

    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    std::vector<std::string_view> open;  // currently open nested objects
    std::string_view last_leaf;
    for (const Field* f : sorted) {
        auto segs = segments(f->path);
        std::size_t common = 0;
        while (common < open.size() && common + 1 < segs.size() && open[common] == segs[common]) ++common;
        while (open.size() > common) { w.EndObject(); open.pop_back(); }
        for (std::size_t i = open.size(); i + 1 < segs.size(); ++i) {
            w.Key(segs[i].data(), static_cast<rapidjson::SizeType>(segs[i].size()));
            w.StartObject();
            open.push_back(segs[i]);
        }
        const auto key = segs.back();
        if (f->path == last_leaf) continue;  // duplicates are refused by validation; keep JSON valid
        last_leaf = f->path;
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        const auto& v = f->value;
        switch (v.kind) {
        case ValueKind::String: w.String(v.text.data(), static_cast<rapidjson::SizeType>(v.text.size())); break;
        case ValueKind::Number: w.RawValue(v.text.data(), v.text.size(), rapidjson::kNumberType); break;
        case ValueKind::Bool: w.Bool(v.text == "true"); break;
        case ValueKind::Null: w.Null(); break;
        }
    }
    while (!open.empty()) { w.EndObject(); open.pop_back(); }
    w.EndObject();
    return {buf.GetString(), buf.GetSize()};
}

}  // namespace dg
