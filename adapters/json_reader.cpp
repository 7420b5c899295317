#include "json_reader.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <memory>

namespace dg {
namespace {

constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;

// SAX handler. Frames mirror the open objects/arrays; record fields get flattened paths.
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
public:
    Handler(const ParseLimits& limits, BerichtSink& sink, ParseResult& result) : limits_(limits), sink_(sink), result_(result) {}

    bool Null() { return scalar({ValueKind::Null, "null"}); }
    bool Bool(bool b) { return scalar({ValueKind::Bool, b ? "true" : "false"}); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return scalar({ValueKind::Number, std::string(s, n)}); }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        if (n > limits_.max_value_bytes)
            return abort_schema(current_path(), "value longer than " + std::to_string(limits_.max_value_bytes) + " bytes");
        return scalar({ValueKind::String, std::string(s, n)});
    }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
        if (n > 128) return abort_schema(frame_path(), "key longer than 128 bytes");
        frames_.back().key.assign(s, n);
        return true;
    }
    bool StartObject() { return open(false); }
    bool StartArray() { return open(true); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    void finish() {
        if (!envelope_sent_) send_envelope();
        if (!saw_meldingen_ && result_.problems.empty())
            result_.problems.push_back({"message.schema", "/meldingen", "required array 'meldingen' is missing", {}});
    }

private:
    enum class Role { Root, Meldingen, Melding, Inner, Ignored };
    struct Frame {
        Role role;
        bool array;
        std::string key;
        std::size_t index = 0;
        std::string prefix;  // path of this container inside the record, with trailing '/'
    };

    std::string child_name(const Frame& f) const { return f.array ? std::to_string(f.index) : f.key; }

    std::string frame_path() const {
        std::string p;
        for (const auto& f : frames_) {
            p += '/';
            p += (&f == &frames_.front() && !f.array) ? f.key : child_name(f);
        }
        return p;
    }
    std::string current_path() const { return frames_.empty() ? "" : frame_path(); }

    bool abort_schema(std::string path, std::string detail) {
        result_.problems.push_back({"message.schema", std::move(path), std::move(detail), {}});
        return false;
    }

    void problem(std::string code, std::string path, std::string detail) {
        result_.problems.push_back({std::move(code), std::move(path), std::move(detail), {}});
    }

    void advance() {
        if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    }

    bool envelope_value(const std::string& key, Value&& v) {
        std::string* target = nullptr;
        bool* flag = nullptr;
        if (key == "berichtId") {
            target = &envelope_.bericht_id;
            flag = &envelope_.has_bericht_id;
        } else if (key == "berichttype") {
            target = &envelope_.berichttype;
            flag = &envelope_.has_berichttype;
        } else if (key == "verzondenOp") {
            target = &envelope_.verzonden_op;
            flag = &envelope_.has_verzonden_op;
        }
        if (!target) {
            if (key == "meldingen") problem("message.schema", "/meldingen", "'meldingen' must be an array");
            else problem("field.not-permitted", "/" + key, "the envelope does not allow this field");
            return true;
        }
        if (*flag) {
            problem("message.schema", "/" + key, "field appears twice");
            return true;
        }
        if (v.kind != ValueKind::String) {
            problem("message.schema", "/" + key, "must be a string");
            return true;
        }
        *target = std::move(v.text);
        *flag = true;
        if (envelope_.has_bericht_id && envelope_.has_berichttype && envelope_.has_verzonden_op && !envelope_sent_) send_envelope();
        return true;
    }

    void send_envelope() {
        envelope_sent_ = true;
        sink_.on_envelope(envelope_);
        for (auto& m : buffered_) sink_.on_melding(std::move(m));
        buffered_.clear();
        buffered_.shrink_to_fit();
    }

    bool scalar(Value&& v) {
        if (frames_.empty()) return abort_schema("", "a bericht must be a JSON object");
        Frame& top = frames_.back();
        switch (top.role) {
        case Role::Root: return envelope_value(top.key, std::move(v));
        case Role::Meldingen: problem("message.schema", melding_path(top.index), "each melding must be an object"); break;
        case Role::Melding:
            if (top.key == "meldingId" && v.kind == ValueKind::String && !current_.has_melding_id) {
                current_.melding_id = std::move(v.text);
                current_.has_melding_id = true;
                break;
            }
            [[fallthrough]];
        case Role::Inner:
            if (current_.fields.size() >= limits_.max_fields)
                return abort_schema(melding_path(current_.index), "more than " + std::to_string(limits_.max_fields) + " fields in one melding");
            current_.fields.push_back({top.prefix + child_name(top), std::move(v)});
            break;
        case Role::Ignored: break;
        }
        advance();
        return true;
    }

    bool open(bool array) {
        if (frames_.size() >= limits_.max_depth) {
            result_.malformed = true;
            problem("message.malformed", current_path(), "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
            return false;
        }
        if (frames_.empty()) {
            if (array) return abort_schema("", "a bericht must be a JSON object, not an array");
            frames_.push_back({Role::Root, false, {}, 0, {}});
            return true;
        }
        Frame& top = frames_.back();
        Role role = Role::Ignored;
        std::string prefix;
        switch (top.role) {
        case Role::Root:
            if (top.key == "meldingen" && array && !saw_meldingen_) {
                role = Role::Meldingen;
                saw_meldingen_ = true;
            } else if (top.key == "meldingen")
                problem("message.schema", "/meldingen", saw_meldingen_ ? "field appears twice" : "'meldingen' must be an array");
            else if (top.key == "berichtId" || top.key == "berichttype" || top.key == "verzondenOp")
                problem("message.schema", "/" + top.key, "must be a string");
            else problem("field.not-permitted", "/" + top.key, "the envelope does not allow this field");
            break;
        case Role::Meldingen:
            if (array) {
                problem("message.schema", melding_path(top.index), "each melding must be an object");
                break;
            }
            if (count_ >= limits_.max_meldingen) {
                result_.too_many = true;
                problem("message.too-large", "/meldingen", "more than " + std::to_string(limits_.max_meldingen) + " meldingen in one bericht");
                return false;
            }
            current_ = Melding{};
            current_.index = count_++;
            role = Role::Melding;
            break;
        case Role::Melding:
        case Role::Inner:
            role = Role::Inner;
            prefix = top.prefix + child_name(top) + "/";
            break;
        case Role::Ignored: break;
        }
        frames_.push_back({role, array, {}, 0, std::move(prefix)});
        return true;
    }

    bool close() {
        const Role role = frames_.back().role;
        frames_.pop_back();
        if (role == Role::Melding) {
            if (envelope_sent_) sink_.on_melding(std::move(current_));
            else buffered_.push_back(std::move(current_));
        }
        advance();
        return true;
    }

    const ParseLimits& limits_;
    BerichtSink& sink_;
    ParseResult& result_;
    std::vector<Frame> frames_;
    Envelope envelope_;
    bool envelope_sent_ = false;
    bool saw_meldingen_ = false;
    std::size_t count_ = 0;
    Melding current_;
    std::vector<Melding> buffered_;  // records seen before the envelope was complete
};

// Well-formedness alone, in one linear pass that builds nothing.
rapidjson::ParseResult json_syntax(std::string_view text) {
    rapidjson::Reader reader;
    rapidjson::BaseReaderHandler<> ignore;
    rapidjson::MemoryStream ms(text.data(), text.size());
    return reader.Parse<kFlags>(ms, ignore);
}

// The JSON text of a body: a whole UTF-8 byte order mark is let through (RFC 8259 §8.1 allows a
// parser to ignore it); RapidJSON's own BOM skipping would also take a broken one.
std::string_view json_text(std::string_view body) { return body.starts_with("\xEF\xBB\xBF") ? body.substr(3) : body; }

}  // namespace

ParseResult read_json_bericht(std::string_view body, const ParseLimits& limits, BerichtSink& sink) {
    ParseResult result;
    const std::string_view text = json_text(body);
    // RapidJSON takes a NUL byte for the end of the text; in JSON it can only be a fault (inside
    // strings it must be escaped).
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        result.malformed = true;
        result.problems = {{"message.malformed", "", "not well-formed JSON at byte " + std::to_string(nul) + ": a NUL byte", {}}};
        return result;
    }
    auto handler = std::make_unique<Handler>(limits, sink, result);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(text.data(), text.size());
    const rapidjson::ParseResult first = reader.Parse<kFlags>(ms, *handler);
    if (first) {
        handler->finish();
        return result;
    }
    rapidjson::ParseResult bad = first;
    // The handler stops at the first wrong-shaped token; whether the rest of the text is JSON at
    // all is still to be seen, and a body that is not is malformed whatever else is wrong with it.
    if (first.Code() == rapidjson::kParseErrorTermination) {
        if (result.malformed) return result;  // too deep: refused as malformed already
        bad = json_syntax(text);
        if (bad) return result;
    }
    result.malformed = true;
    result.too_many = false;
    result.problems = {{"message.malformed",
                        "",
                        std::string("not well-formed JSON at byte ") + std::to_string(bad.Offset()) + ": " + rapidjson::GetParseError_En(bad.Code()),
                        {}}};
    return result;
}

}  // namespace dg
