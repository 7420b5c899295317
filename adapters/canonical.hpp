#pragma once
// The canonical form of a bericht, the same whatever the wire format: an envelope and records
// (meldingen) whose fields are flattened to paths such as "leerling/bsn".
#include <algorithm>
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

struct Melding;

// A reader's structural check of the record it hands over (XSD for XML), run only when asked:
// most of the cost of a record that is refused anyway. Valid only during on_melding().
class StructureCheck {
public:
    virtual ~StructureCheck() = default;
    virtual void check(Melding& melding) const = 0;
};

struct Melding {
    std::size_t index = 0;  // position in the message, for error paths
    std::string melding_id;
    bool has_melding_id = false;
    std::vector<Field> fields;    // in document order
    Problems structure_problems;  // found by check_structure() (XSD), reported if nothing else is
    const StructureCheck* structure_check = nullptr;

    // Runs the reader's structural check once; only during BerichtSink::on_melding.
    void check_structure() {
        if (const StructureCheck* c = structure_check) {
            structure_check = nullptr;
            c->check(*this);
        }
    }

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
    std::size_t max_depth = 16;          // nesting of objects/arrays or elements
    std::size_t max_meldingen = 100000;  // records per message
    std::size_t max_value_bytes = 4096;  // any single string or text value
    std::size_t max_fields = 64;         // fields per record
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

// The same record as SAX events to any RapidJSON handler (a Writer, a SchemaValidator, or a
// validator that writes as it checks).
template <class Handler>
void emit_melding(const Melding& m, Handler& h) {
    std::vector<const Field*> sorted;
    sorted.reserve(m.fields.size() + 1);
    const Field id{"meldingId", {ValueKind::String, m.melding_id}};
    if (m.has_melding_id) sorted.push_back(&id);
    for (const auto& f : m.fields) sorted.push_back(&f);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Field* a, const Field* b) { return a->path < b->path; });
    auto size = [](std::string_view s) { return static_cast<unsigned>(s.size()); };

    h.StartObject();
    std::vector<std::string_view> open;  // nested objects open now
    std::string_view last_leaf;
    for (const Field* f : sorted) {
        std::vector<std::string_view> segs;
        for (std::size_t start = 0;;) {
            const auto pos = f->path.find('/', start);
            segs.push_back(std::string_view(f->path).substr(start, pos == std::string::npos ? std::string::npos : pos - start));
            if (pos == std::string::npos) break;
            start = pos + 1;
        }
        std::size_t common = 0;
        while (common < open.size() && common + 1 < segs.size() && open[common] == segs[common]) ++common;
        while (open.size() > common) {
            h.EndObject(0);
            open.pop_back();
        }
        for (std::size_t i = open.size(); i + 1 < segs.size(); ++i) {
            h.Key(segs[i].data(), size(segs[i]), true);
            h.StartObject();
            open.push_back(segs[i]);
        }
        if (f->path == last_leaf) continue;  // duplicates are refused by validation; keep JSON valid
        last_leaf = f->path;
        h.Key(segs.back().data(), size(segs.back()), true);
        const auto& v = f->value;
        switch (v.kind) {
        case ValueKind::String: h.String(v.text.data(), size(v.text), true); break;
        case ValueKind::Number: {
            // Whole numbers as integers (schemas check "integer"); anything else as written.
            const bool whole = !v.text.empty() && v.text.size() <= 18 && v.text.find_first_not_of("0123456789") == std::string::npos;
            if (whole) h.Uint64(std::stoull(v.text));
            else h.RawNumber(v.text.data(), size(v.text), true);
            break;
        }
        case ValueKind::Bool: h.Bool(v.text == "true"); break;
        case ValueKind::Null: h.Null(); break;
        }
    }
    while (!open.empty()) {
        h.EndObject(0);
        open.pop_back();
    }
    h.EndObject(0);
}

}  // namespace dg
