#include "xml_reader.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <memory>
#include <mutex>

namespace dg {
namespace {

// No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD/DTDATTR, no network, no
// XML_PARSE_HUGE (libxml2 keeps its own depth and text-size limits).
constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOXINCNODE;

struct ReaderFree {
    void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};
struct ValidFree {
    void operator()(xmlSchemaValidCtxtPtr v) const { xmlSchemaFreeValidCtxt(v); }
};

std::string_view sv(const xmlChar* s) { return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view(); }

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool in_namespace(xmlNodePtr n) { return n->ns && sv(n->ns->href) == kBerichtNamespace; }

// A linear look at the raw text before libxml2 parses it, for the two shapes that would cost more
// than linear time or memory there: an element with very many attributes (libxml2 2.9 checks them
// for duplicates pair by pair) and a record with very many descendants (each record is expanded
// into a subtree). Not a parser: comments, CDATA, processing instructions and quoted attribute
// values are stepped over; anything it misreads is for libxml2 to refuse.
struct ShapeScan {
    enum class Fault { None, Attributes, RecordSize };
    Fault fault = Fault::None;
    std::size_t record = 0;  // the index of the record that is too large
};

ShapeScan scan_shape(std::string_view x, std::size_t max_attributes, std::size_t max_record_items) {
    ShapeScan out;
    std::size_t depth = 0, records = 0, items = 0;
    auto skip_past = [&](std::size_t from, std::string_view end) {
        const auto at = x.find(end, from);
        return at == std::string_view::npos ? x.size() : at + end.size();
    };
    for (std::size_t i = x.find('<'); i < x.size(); i = x.find('<', i)) {
        const std::string_view rest = x.substr(i);
        if (rest.starts_with("<!--")) {
            i = skip_past(i + 4, "-->");
            continue;
        }
        if (rest.starts_with("<![CDATA[")) {
            i = skip_past(i + 9, "]]>");
            continue;
        }
        if (rest.starts_with("<?")) {
            i = skip_past(i + 2, "?>");
            continue;
        }
        if (rest.starts_with("<!")) {
            i = skip_past(i + 2, ">");
            continue;
        }
        if (rest.starts_with("</")) {
            if (depth > 0) --depth;
            i = skip_past(i + 2, ">");
            continue;
        }
        std::size_t attributes = 0, j = i + 1;
        char quote = 0;
        for (; j < x.size(); ++j) {
            const char c = x[j];
            if (quote) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') quote = c;
            else if (c == '=') ++attributes;
            else if (c == '>') break;
        }
        if (attributes > max_attributes) return {ShapeScan::Fault::Attributes, 0};
        const bool empty = j < x.size() && x[j - 1] == '/';
        if (depth == 1) {  // a record
            ++records;
            items = attributes;
        } else if (depth >= 2 && (items += 1 + attributes) > max_record_items) {
            return {ShapeScan::Fault::RecordSize, records - 1};
        }
        if (!empty) ++depth;
        i = j;
    }
    return out;
}

// The reader streams the envelope and the sequence of records; each record element is expanded
// into a small subtree, validated against the XSD on its own (so every violation belongs to
// exactly one record), turned into fields, and freed before the next one.
class XmlBerichtReader final : public StructureCheck {
public:
    XmlBerichtReader(std::string_view body, const ParseLimits& limits, BerichtSink& sink, ParseResult& result, xmlSchemaPtr xsd)
        : limits_(limits), sink_(sink), result_(result) {
        static std::once_flag init;
        std::call_once(init, [] { xmlInitParser(); });
        reader_.reset(xmlReaderForMemory(body.data(), static_cast<int>(body.size()), nullptr, nullptr, kOptions));
        if (reader_) xmlTextReaderSetStructuredErrorHandler(reader_.get(), &XmlBerichtReader::on_error, this);
        if (xsd) {
            valid_.reset(xmlSchemaNewValidCtxt(xsd));
            if (valid_) xmlSchemaSetValidStructuredErrors(valid_.get(), &XmlBerichtReader::on_validity, this);
        }
    }

    void run(std::string_view body) {
        if (!reader_) return malformed("cannot read the document");
        // Namespace declarations count as attributes here; a record's meldingId, fields and their
        // attributes together stay within max_fields (a little slack: the reader says it exactly).
        const ShapeScan shape = scan_shape(body, limits_.max_fields + 16, limits_.max_fields + 16);
        if (shape.fault == ShapeScan::Fault::Attributes)
            return malformed("an element with more than " + std::to_string(limits_.max_fields + 16) + " attributes");
        if (shape.fault == ShapeScan::Fault::RecordSize) {
            problem("message.schema", melding_path(shape.record), "more than " + std::to_string(limits_.max_fields) + " fields in one melding");
            return drain(reader_.get());  // still malformed first
        }
        xmlTextReaderPtr r = reader_.get();
        int rc = xmlTextReaderRead(r);
        while (rc == 1) {
            const Step s = step(r);
            if (s == Step::Stop) return result_.malformed ? void() : drain(r);
            rc = s == Step::SkipSubtree ? xmlTextReaderNext(r) : xmlTextReaderRead(r);
        }
        if (rc < 0) return malformed(error_.empty() ? "not well-formed XML" : error_);
        if (!root_seen_) return malformed("no root element");
        if (!saw_records_ && result_.problems.empty())
            result_.problems.push_back({"message.schema", "/meldingen", "a bericht holds at least one melding element", {}});
    }

private:
    enum class Step { Next, SkipSubtree, Stop };

    static void on_error(void* self, xmlErrorPtr err) {
        auto* me = static_cast<XmlBerichtReader*>(self);
        if (!err || !me->error_.empty()) return;
        std::string msg = err->message ? err->message : "XML error";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        me->error_ = "line " + std::to_string(err->line) + ": " + msg;
    }

    // An XSD violation in the record being validated. libxml2's text may quote the offending value
    // (personal data), so only the element name and a category are kept.
    static void on_validity(void* self, xmlErrorPtr err) {
        auto* me = static_cast<XmlBerichtReader*>(self);
        if (!err) return;
        const std::string msg = err->message ? err->message : "";
        std::string element;
        if (auto a = msg.find("Element '"); a != std::string::npos) {
            auto b = msg.find('\'', a + 9);
            element = msg.substr(a + 9, b == std::string::npos ? 0 : b - a - 9);
            if (auto brace = element.rfind('}'); brace != std::string::npos) element.erase(0, brace + 1);
        }
        const char* what = msg.find("not expected") != std::string::npos    ? "unexpected element or wrong order"
                           : msg.find("Missing child") != std::string::npos ? "missing element"
                           : msg.find("attribute") != std::string::npos     ? "attribute not permitted or missing"
                                                                            : "value not permitted";
        if (!me->validating_) return;
        Melding& m = *me->validating_;
        m.structure_problems.push_back(
            {"message.schema", melding_path(m.index, element), "element " + element + ": " + what + " (schemas/xml)", m.melding_id});
    }

    // A body that is not well-formed is refused as that alone, whatever else was found.
    void malformed(std::string detail) {
        result_.malformed = true;
        result_.too_many = false;
        result_.problems = {{"message.malformed", "", "not well-formed or not permitted XML: " + detail, {}}};
    }

    // Judging stopped early (the message is refused): read the rest only to find out whether it
    // is well-formed XML at all, without building or validating anything.
    void drain(xmlTextReaderPtr r) {
        int rc;
        while ((rc = xmlTextReaderRead(r)) == 1) {
            const int type = xmlTextReaderNodeType(r);
            if (type == XML_READER_TYPE_DOCUMENT_TYPE) return malformed("a DOCTYPE is not permitted");
            if (type == XML_READER_TYPE_ENTITY_REFERENCE || type == XML_READER_TYPE_ENTITY) return malformed("entity references are not permitted");
        }
        if (rc < 0) malformed(error_.empty() ? "not well-formed XML" : error_);
    }

    void problem(std::string code, std::string path, std::string detail) {
        result_.problems.push_back({std::move(code), std::move(path), std::move(detail), {}});
    }

    bool too_large(std::string_view value, const std::string& path) {
        if (value.size() <= limits_.max_value_bytes) return false;
        problem("message.schema", path, "value longer than " + std::to_string(limits_.max_value_bytes) + " bytes");
        return true;
    }

    Step step(xmlTextReaderPtr r) {
        const int depth = xmlTextReaderDepth(r);
        switch (xmlTextReaderNodeType(r)) {
        case XML_READER_TYPE_DOCUMENT_TYPE: malformed("a DOCTYPE is not permitted"); return Step::Stop;
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY: malformed("entity references are not permitted"); return Step::Stop;
        case XML_READER_TYPE_ELEMENT:
            if (depth == 0) return root(r) ? Step::Next : Step::Stop;
            return record(r) ? Step::SkipSubtree : Step::Stop;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
            if (!blank(sv(xmlTextReaderConstValue(r)))) problem("message.schema", "/", "text is only permitted inside field elements");
            return Step::Next;
        default: return Step::Next;  // whitespace, comments, processing instructions, end tags
        }
    }

    bool root(xmlTextReaderPtr r) {
        root_seen_ = true;
        if (sv(xmlTextReaderConstLocalName(r)) != "bericht" || sv(xmlTextReaderConstNamespaceUri(r)) != kBerichtNamespace) {
            problem("message.schema", "/", std::string("the root element must be <bericht> in namespace ") + kBerichtNamespace);
            return false;
        }
        std::size_t attributes = 0;
        while (xmlTextReaderMoveToNextAttribute(r) == 1) {
            if (xmlTextReaderIsNamespaceDecl(r) == 1) continue;
            const std::string attr(sv(xmlTextReaderConstLocalName(r)));
            const std::string_view value = sv(xmlTextReaderConstValue(r));
            if (too_large(value, "/@" + attr)) return false;
            if (++attributes > 3) {
                problem("message.schema", "/@" + attr, "the envelope has three attributes: berichtId, berichttype, verzondenOp");
                return false;
            }
            // Only the catalogue's attributes, in no namespace: x:berichttype must not stand in for berichttype.
            if (!sv(xmlTextReaderConstNamespaceUri(r)).empty()) problem("message.schema", "/@" + attr, "envelope attributes carry no namespace");
            else if (attr == "berichtId") {
                envelope_.bericht_id = value;
                envelope_.has_bericht_id = true;
            } else if (attr == "berichttype") {
                envelope_.berichttype = value;
                envelope_.has_berichttype = true;
            } else if (attr == "verzondenOp") {
                envelope_.verzonden_op = value;
                envelope_.has_verzonden_op = true;
            } else problem("message.schema", "/@" + attr, "the envelope does not allow this attribute");
        }
        xmlTextReaderMoveToElement(r);
        sink_.on_envelope(envelope_);
        return true;
    }

    bool record(xmlTextReaderPtr r) {
        saw_records_ = true;
        if (count_ >= limits_.max_meldingen) {
            result_.too_many = true;
            problem("message.too-large", "/meldingen", "more than " + std::to_string(limits_.max_meldingen) + " meldingen in one bericht");
            return false;
        }
        current_ = Melding{};
        current_.index = count_++;
        xmlNodePtr node = xmlTextReaderExpand(r);
        if (!node) {
            malformed(error_.empty() ? "not well-formed XML" : error_);
            return false;
        }
        if (sv(node->name) != envelope_.berichttype || !in_namespace(node))
            current_.fields.push_back({"@element", {ValueKind::String, std::string(sv(node->name))}});
        for (xmlAttrPtr a = node->properties; a; a = a->next) {
            const std::string name(sv(a->name));
            std::string value = attribute_value(a);
            if (too_large(value, melding_path(current_.index, "@" + name)) || too_many_fields()) return false;
            if (name == "meldingId" && !current_.has_melding_id && !a->ns) {
                current_.melding_id = std::move(value);
                current_.has_melding_id = true;
            } else {
                current_.fields.push_back({"@" + name, {ValueKind::String, std::move(value)}});
            }
        }
        if (!walk(node, "", 2)) return false;
        // The XSD check runs only if the sink asks (the record passed everything else): a record
        // refused anyway does not pay for libxml2's validation errors.
        expanded_ = node;
        expanded_index_ = current_.index;
        current_.structure_check = valid_ ? this : nullptr;
        sink_.on_melding(std::move(current_));
        expanded_ = nullptr;
        return true;
    }

public:
    void check(Melding& m) const override {
        if (!expanded_ || m.index != expanded_index_) return;  // asked too late: not this record's subtree
        validating_ = &m;
        xmlSchemaValidateOneElement(valid_.get(), expanded_);
        validating_ = nullptr;
    }

private:
    static std::string attribute_value(xmlAttrPtr a) {
        std::string out;
        for (xmlNodePtr t = a->children; t; t = t->next)
            if (t->type == XML_TEXT_NODE) out += sv(t->content);
        return out;
    }

    // Element children become fields named by their path; leaves carry their text.
    bool walk(xmlNodePtr el, const std::string& path, std::size_t depth) {
        bool has_text = false;
        for (xmlNodePtr c = el->children; c; c = c->next) {
            switch (c->type) {
            case XML_ELEMENT_NODE: {
                if (depth >= limits_.max_depth) {
                    malformed("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
                    return false;
                }
                if (too_many_fields()) return false;
                std::string name(sv(c->name));
                if (!in_namespace(c)) name = "{" + std::string(c->ns ? sv(c->ns->href) : "") + "}" + name;
                const std::string cpath = path.empty() ? name : path + "/" + name;
                for (xmlAttrPtr a = c->properties; a; a = a->next) {
                    std::string value = attribute_value(a);
                    if (too_large(value, melding_path(current_.index, cpath)) || too_many_fields()) return false;
                    current_.fields.push_back({cpath + "/@" + std::string(sv(a->name)), {ValueKind::String, std::move(value)}});
                }
                if (!leaf(c)) {
                    if (!walk(c, cpath, depth + 1)) return false;
                    break;
                }
                std::string text;
                for (xmlNodePtr t = c->children; t; t = t->next) {
                    if (t->type == XML_ENTITY_REF_NODE) {
                        malformed("entity references are not permitted");
                        return false;
                    }
                    if (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) text += sv(t->content);
                }
                if (too_large(text, melding_path(current_.index, cpath))) return false;
                current_.fields.push_back({cpath, {ValueKind::String, std::move(text)}});
                break;
            }
            case XML_TEXT_NODE:
            case XML_CDATA_SECTION_NODE: has_text = has_text || !blank(sv(c->content)); break;
            case XML_ENTITY_REF_NODE: malformed("entity references are not permitted"); return false;
            default: break;
            }
        }
        if (has_text) problem("message.schema", melding_path(current_.index, path), "mixed content: text is only permitted inside field elements");
        return true;
    }

    // Elements and attributes alike count against the fields of a record.
    bool too_many_fields() {
        if (current_.fields.size() < limits_.max_fields) return false;
        problem("message.schema", melding_path(current_.index), "more than " + std::to_string(limits_.max_fields) + " fields in one melding");
        return true;
    }

    static bool leaf(xmlNodePtr n) {
        for (xmlNodePtr c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) return false;
        return true;
    }

    const ParseLimits& limits_;
    BerichtSink& sink_;
    ParseResult& result_;
    std::unique_ptr<xmlTextReader, ReaderFree> reader_;
    std::unique_ptr<xmlSchemaValidCtxt, ValidFree> valid_;
    std::string error_;
    Envelope envelope_;
    bool root_seen_ = false, saw_records_ = false;
    std::size_t count_ = 0;
    Melding current_;
    xmlNodePtr expanded_ = nullptr;  // the subtree of the record being handed over
    std::size_t expanded_index_ = 0;
    mutable Melding* validating_ = nullptr;
};

}  // namespace

ParseResult read_xml_bericht(std::string_view body, const ParseLimits& limits, BerichtSink& sink, xmlSchemaPtr xsd) {
    ParseResult result;
    XmlBerichtReader reader(body, limits, sink, result, xsd);
    reader.run(body);
    return result;
}

}  // namespace dg
