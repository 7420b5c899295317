#include "xml_reader.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace dg {
namespace {

// No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD/DTDATTR, no network.
constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOXINCNODE;

struct ReaderFree {
    void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};

std::string_view sv(const xmlChar* s) { return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view(); }

bool blank(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

class XmlBerichtReader {
public:
    XmlBerichtReader(std::string_view body, const ParseLimits& limits, BerichtSink& sink, ParseResult& result)
        : limits_(limits), sink_(sink), result_(result) {
        static std::once_flag init;
        std::call_once(init, [] { xmlInitParser(); });
        reader_.reset(xmlReaderForMemory(body.data(), static_cast<int>(body.size()), nullptr, nullptr, kOptions));
        if (reader_) xmlTextReaderSetStructuredErrorHandler(reader_.get(), &XmlBerichtReader::on_error, this);
    }

    void run() {
        if (!reader_) return malformed("cannot read the document");
        int rc;
        while ((rc = xmlTextReaderRead(reader_.get())) == 1) {
            if (!step()) return;
        }
        if (rc < 0) return malformed(error_.empty() ? "not well-formed XML" : error_);
        if (!root_seen_) return malformed("no root element");
        if (!saw_records_ && result_.problems.empty())
            result_.problems.push_back({"message.schema", "/meldingen", "a bericht holds at least one melding element", {}});
    }

private:
    static void on_error(void* self, xmlErrorPtr err) {
        auto* me = static_cast<XmlBerichtReader*>(self);
        if (!err || !me->error_.empty()) return;
        std::string msg = err->message ? err->message : "XML error";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        me->error_ = "line " + std::to_string(err->line) + ": " + msg;
    }

    void malformed(std::string detail) {
        result_.malformed = true;
        result_.problems.insert(result_.problems.begin(), {"message.malformed", "", "not well-formed or not permitted XML: " + detail, {}});
    }

    void problem(std::string code, std::string path, std::string detail) {
        result_.problems.push_back({std::move(code), std::move(path), std::move(detail), {}});
    }

    std::string record_path() const {
        std::string p;
        for (const auto& f : stack_) p += (p.empty() ? "" : "/") + f.name;
        return p;
    }

    // Attributes of an element inside a record are not part of the catalogue.
    void refuse_attributes(xmlTextReaderPtr r, const std::string& path) {
        if (xmlTextReaderHasAttributes(r) != 1) return;
        while (xmlTextReaderMoveToNextAttribute(r) == 1) {
            if (xmlTextReaderIsNamespaceDecl(r) == 1) continue;
            current_.fields.push_back({path + (path.empty() ? "@" : "/@") + std::string(sv(xmlTextReaderConstLocalName(r))),
                                       {ValueKind::String, std::string(sv(xmlTextReaderConstValue(r)))}});
        }
        xmlTextReaderMoveToElement(r);
    }

    bool step() {
        xmlTextReaderPtr r = reader_.get();
        const int type = xmlTextReaderNodeType(r);
        const int depth = xmlTextReaderDepth(r);
        switch (type) {
        case XML_READER_TYPE_DOCUMENT_TYPE:
            malformed("a DOCTYPE is not permitted");
            return false;
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
            malformed("entity references are not permitted");
            return false;
        case XML_READER_TYPE_ELEMENT: return element(r, depth);
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA: return text(r, depth);
        case XML_READER_TYPE_END_ELEMENT: return end_element(depth);
        default: return true;  // whitespace, comments, processing instructions
        }
    }

    bool element(xmlTextReaderPtr r, int depth) {
        if (static_cast<std::size_t>(depth) >= limits_.max_depth) {
            malformed("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
            return false;
        }
        const std::string name(sv(xmlTextReaderConstLocalName(r)));
        const bool empty = xmlTextReaderIsEmptyElement(r) == 1;
        if (sv(xmlTextReaderConstNamespaceUri(r)) != kBerichtNamespace) {
            if (depth == 0) {
                problem("message.schema", "/", std::string("the root element must be <bericht> in namespace ") + kBerichtNamespace);
                return false;
            }
        }
        if (depth == 0) {
            root_seen_ = true;
            if (name != "bericht") {
                problem("message.schema", "/", "the root element must be <bericht>");
                return false;
            }
            while (xmlTextReaderMoveToNextAttribute(r) == 1) {
                if (xmlTextReaderIsNamespaceDecl(r) == 1) continue;
                const std::string attr(sv(xmlTextReaderConstLocalName(r)));
                const std::string value(sv(xmlTextReaderConstValue(r)));
                if (attr == "berichtId") { envelope_.bericht_id = value; envelope_.has_bericht_id = true; }
                else if (attr == "berichttype") { envelope_.berichttype = value; envelope_.has_berichttype = true; }
                else if (attr == "verzondenOp") { envelope_.verzonden_op = value; envelope_.has_verzonden_op = true; }
                else problem("field.not-permitted", "/@" + attr, "the envelope does not allow this attribute");
            }
            xmlTextReaderMoveToElement(r);
            sink_.on_envelope(envelope_);
            return true;
        }
        if (depth == 1) {
            saw_records_ = true;
            if (count_ >= limits_.max_meldingen) {
                result_.too_many = true;
                problem("message.too-large", "/meldingen", "more than " + std::to_string(limits_.max_meldingen) + " meldingen in one bericht");
                return false;
            }
            current_ = Melding{};
            current_.index = count_++;
            if (name != envelope_.berichttype || sv(xmlTextReaderConstNamespaceUri(r)) != kBerichtNamespace)
                current_.fields.push_back({"@element", {ValueKind::String, name}});
            while (xmlTextReaderMoveToNextAttribute(r) == 1) {
                if (xmlTextReaderIsNamespaceDecl(r) == 1) continue;
                const std::string attr(sv(xmlTextReaderConstLocalName(r)));
                std::string value(sv(xmlTextReaderConstValue(r)));
                if (attr == "meldingId" && !current_.has_melding_id) { current_.melding_id = std::move(value); current_.has_melding_id = true; }
                else current_.fields.push_back({"@" + attr, {ValueKind::String, std::move(value)}});
            }
            xmlTextReaderMoveToElement(r);
            if (empty) sink_.on_melding(std::move(current_));
            return true;
        }
        if (!stack_.empty()) stack_.back().has_child = true;
        std::string qualified = name;
        if (sv(xmlTextReaderConstNamespaceUri(r)) != kBerichtNamespace) {
            qualified.assign(1, '{').append(sv(xmlTextReaderConstNamespaceUri(r))).append(1, '}').append(name);
        }
        stack_.push_back({std::move(qualified), {}, false});
        if (current_.fields.size() >= limits_.max_fields) {
            problem("message.schema", melding_path(current_.index), "more than " + std::to_string(limits_.max_fields) + " fields in one melding");
            return false;
        }
        refuse_attributes(r, record_path());
        if (empty) end_element(depth);
        return true;
    }

    bool text(xmlTextReaderPtr r, int depth) {
        const std::string_view value = sv(xmlTextReaderConstValue(r));
        if (stack_.empty()) {
            if (!blank(value)) problem("message.schema", depth <= 1 ? "/" : melding_path(current_.index), "text is only permitted inside field elements");
            return true;
        }
        auto& top = stack_.back();
        if (top.text.size() + value.size() > limits_.max_value_bytes) {
            problem("message.schema", melding_path(current_.index, record_path()), "value longer than " + std::to_string(limits_.max_value_bytes) + " bytes");
            return false;
        }
        top.text.append(value);
        return true;
    }

    bool end_element(int depth) {
        if (depth == 1) {
            sink_.on_melding(std::move(current_));
            return true;
        }
        if (depth < 1 || stack_.empty()) return true;
        const std::string path = record_path();
        Frame& top = stack_.back();
        if (!top.has_child) current_.fields.push_back({path, {ValueKind::String, std::move(top.text)}});
        else if (!blank(top.text)) problem("message.schema", melding_path(current_.index, path), "mixed content is not permitted");
        stack_.pop_back();
        return true;
    }

    struct Frame {
        std::string name;
        std::string text;
        bool has_child;
    };

    const ParseLimits& limits_;
    BerichtSink& sink_;
    ParseResult& result_;
    std::unique_ptr<xmlTextReader, ReaderFree> reader_;
    std::string error_;
    Envelope envelope_;
    bool root_seen_ = false, saw_records_ = false;
    std::size_t count_ = 0;
    Melding current_;
    std::vector<Frame> stack_;
};

}  // namespace

ParseResult read_xml_bericht(std::string_view body, const ParseLimits& limits, BerichtSink& sink) {
    ParseResult result;
    XmlBerichtReader reader(body, limits, sink, result);
    reader.run();
    return result;
}

}  // namespace dg
