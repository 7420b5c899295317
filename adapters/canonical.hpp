#pragma once
// The canonical form of a bericht, the same whatever the wire format: an envelope and records
// (meldingen) whose fields are flattened to paths such as "leerling/bsn".
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/problem.hpp"

namespace dg {

enum class ValueKind { String, Number, Bool, Null };

struct Value {
    ValueKind kind = ValueKind::String;
    std::string text;  // the lexeme: string content, number as written, "true"/"false", "null"
    bool operator==(const Value&) const = default;
};

struct Field {
    std::string path;
    Value value;
    bool operator==(const Field&) const = default;
};

struct Melding {
    std::size_t index = 0;  // position in the message, for error paths
    std::string melding_id;
    bool has_melding_id = false;
    std::vector<Field> fields;  // in document order
    Problems structure_problems;  // found by a schema-validating reader (XSD), reported if nothing else is

    const Value* find(std::string_view path) const {
        for (const auto& f : fields)
            if (f.path == path) return &f.value;
        return nullptr;
    }
    bool operator==(const Melding&) const = default;
};

struct Envelope {
    std::string bericht_id, berichttype, verzonden_op;
    bool has_bericht_id = false, has_berichttype = false, has_verzonden_op = false;
};

// Receives a bericht as it is parsed. The envelope always comes first, even when the wire
// format puts the records before it; records then stream one by one.
class BerichtSink {
public:
    virtual ~BerichtSink() = default;
    virtual void on_envelope(const Envelope& envelope) = 0;
    virtual void on_melding(Melding&& melding) = 0;
};

struct ParseLimits {
    std::size_t max_depth = 16;           // nesting of objects/arrays or elements
    std::size_t max_meldingen = 100000;   // records per message
    std::size_t max_value_bytes = 4096;   // any single string or text value
    std::size_t max_fields = 64;          // fields per record
};

// Result of parsing: message-level problems only (record problems are for validation).
struct ParseResult {
    bool malformed = false;  // not well-formed at all (400) rather than well-formed but wrong
    bool too_many = false;   // over max_meldingen (413)
    Problems problems;
    bool ok() const { return problems.empty(); }
};

// JSON pointer path of a record field, e.g. "/meldingen/3/leerling/bsn".
std::string melding_path(std::size_t index, std::string_view field_path = {});

}  // namespace dg

namespace dg {

// The record as one JSON object with nested blocks, keys sorted: the same bytes whatever the
// wire format was. Includes "meldingId".
std::string melding_to_json(const Melding& melding);

}  // namespace dg
