#include "schema_set.hpp"

#include <libxml/parser.h>
#include <rapidjson/error/en.h>

#include <mutex>

#include "adapters/canonical.hpp"
#include "core/json_util.hpp"

namespace dg {
namespace {

void collect_leaves(const rapidjson::Value& schema, const std::string& prefix, std::vector<std::string>& out) {
    auto props = schema.FindMember("properties");
    if (props == schema.MemberEnd() || !props->value.IsObject()) return;
    for (const auto& p : props->value.GetObject()) {
        const std::string name = p.name.GetString();
        if (prefix.empty() && name == "meldingId") continue;
        auto type = p.value.FindMember("type");
        if (type != p.value.MemberEnd() && type->value.IsString() && std::string_view(type->value.GetString()) == "object")
            collect_leaves(p.value, prefix + name + "/", out);
        else out.push_back(prefix + name);
    }
}

// The formats that `pattern` describes (BSN, dates, codes, ids) are checked by the policy's field
// kinds with their catalogue codes; RapidJSON's regex engine expands {m,n} into copies and costs
// more than all other checks together. At run time the schema checks structure, types, enums and
// lengths; the patterns stay in the files as documentation for senders.
void drop_patterns(rapidjson::Value& v) {
    if (v.IsObject()) {
        v.RemoveMember("pattern");
        for (auto& m : v.GetObject()) drop_patterns(m.value);
    } else if (v.IsArray()) {
        for (auto& e : v.GetArray()) drop_patterns(e);
    }
}

std::unique_ptr<JsonSchema> load_json_schema(const std::filesystem::path& file, std::vector<std::string>* leaves) {
    auto doc = parse_json_file(file);
    if (!doc.HasMember("properties")) throw FileError(file, "/properties", "a berichttype schema needs properties");
    if (leaves) collect_leaves(doc, "", *leaves);
    drop_patterns(doc);
    return std::make_unique<JsonSchema>(doc);
}

// Libxml2's schema parser reports through a callback; keep the first message for the error.
void schema_error(void* ctx, xmlErrorPtr err) {
    auto* first = static_cast<std::string*>(ctx);
    if (first->empty() && err && err->message) *first = err->message;
}

// Sends each event to the writer and the validator: one pass checks and serialises a record.
// (RapidJSON 1.1's validator-with-output-handler crashes on nested objects, hence this.)
struct Tee {
    rapidjson::Writer<rapidjson::StringBuffer>& w;
    JsonSchemaValidator& v;
    bool StartObject() { return w.StartObject() & v.StartObject(); }
    bool EndObject(rapidjson::SizeType n) { return w.EndObject(n) & v.EndObject(n); }
    bool Key(const char* s, rapidjson::SizeType n, bool c) { return w.Key(s, n, c) & v.Key(s, n, c); }
    bool String(const char* s, rapidjson::SizeType n, bool c) { return w.String(s, n, c) & v.String(s, n, c); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool c) { return w.RawNumber(s, n, c) & v.RawNumber(s, n, c); }
    bool Uint64(std::uint64_t u) { return w.Uint64(u) & v.Uint64(u); }
    bool Bool(bool b) { return w.Bool(b) & v.Bool(b); }
    bool Null() { return w.Null() & v.Null(); }
};

// Where the record broke its schema (a JSON pointer into the record) and which keyword.
Problem schema_problem(std::string_view berichttype, const JsonSchemaValidator& validator) {
    rapidjson::StringBuffer where;
    validator.GetInvalidDocumentPointer().Stringify(where);
    std::string path = where.GetString();
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    return Problem{"message.schema",
                   path,
                   std::string("does not conform to schemas/json/") + std::string(berichttype) + ".schema.json (" +
                       validator.GetInvalidSchemaKeyword() + ")",
                   {}};
}

}  // namespace

SchemaSet::~SchemaSet() {
    if (xsd_) xmlSchemaFree(xsd_);
}

std::shared_ptr<const SchemaSet> SchemaSet::load(const std::filesystem::path& dir) {
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });
    std::shared_ptr<SchemaSet> set(new SchemaSet());

    const auto xsd_file = dir / "xml/bericht.xsd";
    if (!std::filesystem::exists(xsd_file)) throw FileError(xsd_file, "", "not found");
    std::string error;
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(xsd_file.c_str());
    if (!pctx) throw FileError(xsd_file, "", "cannot be read");
    xmlSchemaSetParserStructuredErrors(pctx, schema_error, &error);
    set->xsd_ = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
    if (!set->xsd_) {
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
        throw FileError(xsd_file, "", "invalid XSD: " + (error.empty() ? std::string("unknown error") : error));
    }

    set->envelope_ = load_json_schema(dir / "json/bericht.schema.json", nullptr);
    for (const auto& entry : std::filesystem::directory_iterator(dir / "json")) {
        const std::string name = entry.path().filename().string();
        const std::string suffix = ".schema.json";
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
        const std::string type = name.substr(0, name.size() - suffix.size());
        if (type == "bericht") continue;
        JsonType jt;
        jt.schema = load_json_schema(entry.path(), &jt.leaves);
        set->types_.emplace(type, std::move(jt));
    }
    if (set->types_.empty()) throw FileError(dir / "json", "", "no <berichttype>.schema.json files");
    return set;
}

std::optional<Problem> SchemaSet::check_record(std::string_view berichttype, std::string_view json) const {
    auto it = types_.find(berichttype);
    if (it == types_.end()) return Problem{"message.type-unknown", "", "no schema for this berichttype", {}};
    JsonSchemaValidator validator(*it->second.schema);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(json.data(), json.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    const auto ok = reader.Parse(is, validator);
    if (ok && validator.IsValid()) return std::nullopt;
    return schema_problem(berichttype, validator);
}

std::optional<Problem> SchemaSet::check_record(std::string_view berichttype, const Melding& m, std::string& json) const {
    auto it = types_.find(berichttype);
    if (it == types_.end()) return Problem{"message.type-unknown", "", "no schema for this berichttype", {}};
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
    JsonSchemaValidator validator(*it->second.schema);
    Tee tee{writer, validator};
    emit_melding(m, tee);
    if (validator.IsValid()) {
        json.assign(buf.GetString(), buf.GetSize());
        return std::nullopt;
    }
    return schema_problem(berichttype, validator);
}

const std::vector<std::string>& SchemaSet::leaf_paths(std::string_view berichttype) const {
    static const std::vector<std::string> none;
    auto it = types_.find(berichttype);
    return it == types_.end() ? none : it->second.leaves;
}

std::vector<std::string> SchemaSet::types() const {
    std::vector<std::string> out;
    for (const auto& [t, _] : types_) out.push_back(t);
    return out;
}

}  // namespace dg
