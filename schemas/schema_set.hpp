#pragma once
// The catalogue's schemas as files: schemas/xml/bericht.xsd (+ one XSD per berichttype) and
// schemas/json/<berichttype>.schema.json (+ bericht.schema.json for the envelope). Loaded and
// compiled once at start; an invalid schema file stops start-up with the file and the reason.
#include <libxml/xmlschemas.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/schema.h>

#include "adapters/canonical.hpp"
#include "core/problem.hpp"

namespace dg {

// JSON Schema documents on a memory pool: RapidJSON 1.1's schema copies `enum` values and never
// destroys them, which leaked with the CRT allocator on every (re)load; the pool gives everything
// back with the document.
using JsonSchema = rapidjson::GenericSchemaDocument<rapidjson::Value, rapidjson::MemoryPoolAllocator<>>;
using JsonSchemaValidator = rapidjson::GenericSchemaValidator<JsonSchema>;

class SchemaSet {
public:
    static std::shared_ptr<const SchemaSet> load(const std::filesystem::path& dir);
    ~SchemaSet();
    SchemaSet(const SchemaSet&) = delete;
    SchemaSet& operator=(const SchemaSet&) = delete;

    // The compiled XSD for streaming validation of XML berichten (shared, read-only).
    xmlSchemaPtr xsd() const { return xsd_; }

    // Checks a record's canonical JSON against its type's JSON Schema: the JSON pointer and the
    // keyword that failed, or nothing when it conforms.
    std::optional<Problem> check_record(std::string_view berichttype, std::string_view canonical_json) const;
    // The same check in one pass over the record, writing its canonical JSON to `json` meanwhile.
    std::optional<Problem> check_record(std::string_view berichttype, const Melding& melding, std::string& json) const;

    bool has_type(std::string_view berichttype) const { return types_.count(std::string(berichttype)) > 0; }
    // Leaf paths the type's JSON Schema permits ("leerling/bsn", ...), without meldingId.
    const std::vector<std::string>& leaf_paths(std::string_view berichttype) const;
    std::vector<std::string> types() const;

private:
    SchemaSet() = default;
    struct JsonType {
        std::unique_ptr<JsonSchema> schema;
        std::vector<std::string> leaves;
    };
    xmlSchemaPtr xsd_ = nullptr;
    std::map<std::string, JsonType, std::less<>> types_;
    std::unique_ptr<JsonSchema> envelope_;
};

}  // namespace dg
