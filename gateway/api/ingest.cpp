#include "api/ingest.hpp"
#include "core/problem.hpp"

#include "core/hex.hpp"
#include "core/random.hpp"
#include "core/sha256.hpp"

#include <chrono>
#include <set>
#include <unordered_set>

#include "adapters/json_reader.hpp"
#include "adapters/xml_reader.hpp"

namespace dg {

std::string new_record_id() {
    // 48 bits of milliseconds, then 80 random bits: ids sort by arrival, so the store's id index
    // grows at its end instead of being written all over, and stay unguessable.
    unsigned char raw[16];
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    for (int i = 0; i < 6; ++i) raw[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
    random_bytes(raw + 6, 10);
    return to_hex(raw, sizeof raw);
}

namespace {

// Judges each record as the reader hands it over; keeps only what the receipt and store need.
class IngestSink final : public BerichtSink {
public:
    IngestSink(const IngestContext& ctx, WireFormat format, IngestResult& out) : ctx_(ctx), format_(format), out_(out) {}

    void on_envelope(const Envelope& e) override {
        out_.envelope = e;
        content_.update(e.berichttype);
        content_.update("\n");
        content_.update(e.verzonden_op);
        content_.update("\n");
        const PolicySet& policy = *ctx_.snapshot.policy;
        envelope_problems_ = policy.check_envelope(e);
        if (!envelope_problems_.empty()) {
            if (ctx_.trail) ctx_.trail->envelope(e, nullptr, envelope_problems_);
            return;
        }
        out_.type = policy.type(e.berichttype);
        if (out_.type && !out_.type->status_of.empty()) {  // one copy per message, shared by its records
            auto scopes = std::make_shared<std::vector<EffectScope>>();
            for (const auto& s : out_.type->status_of) {
                EffectScope& e = scopes->emplace_back();
                e.berichttype = s.berichttype;
                for (const auto& m : s.when) e.when.emplace_back(m.path, m.text);
            }
            status_of_ = std::move(scopes);
        }
        sent_ = *parse_rfc3339_local_date(e.verzonden_op);
        if (ctx_.sender && !policy.role_may_send(ctx_.sender->role, e.berichttype)) {
            role_refused_ = true;
            envelope_problems_.push_back(
                {problem_code::kSenderRoleNotPermitted, "/berichttype", "role " + ctx_.sender->role + " may not send " + e.berichttype, {}});
        } else if (ctx_.mandate && !ctx_.mandate->covers_type(e.berichttype)) {
            role_refused_ = true;
            envelope_problems_.push_back(
                {problem_code::kMandateNotPermitted, "/berichttype", "the mandate for this principal does not cover " + e.berichttype, {}});
        }
        if (ctx_.trail) ctx_.trail->envelope(e, out_.type, envelope_problems_);
    }

    void on_melding(Melding&& m) override {
        ++out_.records_seen;
        if (!envelope_problems_.empty() || !out_.type) return;
        if (format_ == WireFormat::Xml) out_.type->apply_text_types(m);
        Decision& d = decision_;
        std::vector<std::string>* trail = ctx_.trail ? &trail_ : nullptr;
        if (trail) trail->clear();
        ctx_.snapshot.policy->decide_into(d, *out_.type, sent_, ctx_.today, m, ctx_.sender, *ctx_.snapshot.regions, trail, !trail && !out_.listing());
        // What the content hash covers of a record the checks refuse: its canonical form all the same.
        auto refused = [&](Problems problems) {
            if (ctx_.hash_content) digest(melding_to_json(m));
            if (!d.codes.empty()) return out_.count_rejected(d.codes);  // judged for its codes alone: not listed
            out_.reject(m.melding_id, std::move(problems));
        };
        // The schemas are a second, structural gate: their findings count when the policy found none
        // (and are only looked for then).
        std::string data;
        if (d.allowed()) {
            const bool passed = structural_gate(ctx_.snapshot, *out_.type, format_, m, d, data);
            if (trail)
                trail->push_back(std::string(format_ == WireFormat::Xml ? "XML Schema (XSD)" : "JSON Schema") + ": " +
                                 (passed ? "ok" : "refused: " + d.problems.front().code));
        }
        // Every melding of a message needs its own meldingId (whether an earlier message used it is
        // the store's to say).
        if (d.allowed() && !m.melding_id.empty() && !seen_.insert(m.melding_id).second)
            d.problems.push_back(duplicate_melding_id(m.index, m.melding_id));
        if (trail) ctx_.trail->record(m, d, *trail);
        std::string subject = d.subject.empty() ? std::string() : ctx_.pseudonymize(d.subject);
        if (!subject.empty()) out_.subjects.push_back(subject);
        if (!d.allowed()) return refused(std::move(d.problems));
        StoredRecord r;
        r.id = ctx_.new_id ? ctx_.new_id() : new_record_id();
        r.region = d.region.code;
        r.region_name = d.region.name;
        r.gemeente = d.gemeente;
        r.berichttype = out_.type->name;
        r.status = "geregistreerd";
        r.sender_oin = ctx_.sender ? ctx_.sender->oin : std::string();
        if (ctx_.mandate) r.intermediary_oin = ctx_.mandate->intermediary_oin;
        r.bericht_id = out_.envelope.bericht_id;
        r.melding_id = m.melding_id;
        r.subject = std::move(subject);
        r.received_at = ctx_.received_at;
        r.legal_basis = out_.type->legal_basis;
        r.purpose = out_.type->purpose_id;
        r.policy_version = ctx_.snapshot.policy->version();
        r.retention_until = d.retention_until;
        r.melding_index = m.index;
        r.data = std::move(data);
        digest(r.data);
        const TypePolicy& t = *out_.type;
        switch (t.effect_kind) {
        case TypePolicy::Effect::None: break;
        case TypePolicy::Effect::Withdraw:
            r.effect = RecordEffect::Withdraw;
            r.new_status = t.tombstone_status;
            break;
        case TypePolicy::Effect::Move: r.effect = RecordEffect::Move; break;
        case TypePolicy::Effect::Change: r.effect = RecordEffect::Change; break;
        case TypePolicy::Effect::Status:
            r.effect = RecordEffect::Status;
            r.new_status = t.status_set;
            r.status_of = status_of_;
            r.reason_key = t.reason_key;
            if (const Value* v = t.reason_field.empty() ? nullptr : m.find(t.reason_field)) r.reason = v->text;
            break;
        }
        // Updates and withdrawals live in the history of what they concern, not in the caseload
        // (unless the policy keeps the update in the caseload too).
        r.active = r.effect == RecordEffect::None || r.effect == RecordEffect::Move || (r.effect == RecordEffect::Status && t.in_caseload);
        if (const Value* v = t.target_field.empty() ? nullptr : m.find(t.target_field)) r.target_id = v->text;
        if (const Value* v = t.status_field.empty() ? nullptr : m.find(t.status_field)) r.new_status = v->text;
        if (r.effect == RecordEffect::Move) {
            if (const Value* v = m.find(t.from_field)) r.from_gemeente = v->text;
            r.new_status = t.notice_status;
            r.notice_until = d.notice_until;
        }
        if (ctx_.sink) return ctx_.sink->accept(std::move(r), out_);
        out_.records.push_back({r.melding_id, r.id, r.region});
        out_.accepted.push_back(std::move(r));
    }

    void finish() {
        if (ctx_.sink) ctx_.sink->flush(out_);
        out_.flush_counters();
        out_.content_hash = content_.hex();
    }

    const Problems& envelope_problems() const { return envelope_problems_; }
    bool role_refused() const { return role_refused_; }

private:
    void digest(const std::string& canonical) {
        content_.update(canonical);
        content_.update("\n");
    }

    const IngestContext& ctx_;
    Decision decision_;                     // reused from record to record
    std::vector<std::string> trail_;        // the rules applied to the record (with a trail)
    std::unordered_set<std::string> seen_;  // meldingIds of the records allowed so far
    std::shared_ptr<const std::vector<EffectScope>> status_of_;
    WireFormat format_;
    IngestResult& out_;
    Sha256Stream content_;
    Problems envelope_problems_;
    bool role_refused_ = false;
    Date sent_;
};

}  // namespace

void IngestResult::reject(const std::string& melding_id, Problems problems) {
    ++rejected_total;
    std::size_t keep = 0;
    if (rejected.size() < report.listed_records) {
        std::size_t bytes = melding_id.size() + 32;
        for (; keep < problems.size() && keep < report.problems_per_record; ++keep) {
            const Problem& p = problems[keep];
            bytes += p.code.size() + p.path.size() + p.detail.size() + p.melding_id.size() + 48;
            if (bytes > report_budget) break;
        }
        if (keep > 0) report_budget -= std::min(bytes, report_budget);
        else if (!problems.empty()) report_budget = 0;  // the budget is spent: list nothing more
    }
    for (std::size_t i = keep; i < problems.size(); ++i) ++omitted[problems[i].code];
    if (keep == 0) return;
    problems.resize(keep);
    rejected.push_back({melding_id, std::move(problems)});
}

void IngestResult::count_rejected(const ProblemCodes& codes) {
    ++rejected_total;
    bool same = codes.size() == last_codes_.size();
    for (std::size_t i = 0; same && i < codes.size(); ++i) same = codes[i].data() == last_codes_[i];
    if (same) {
        ++last_run_;
        return;
    }
    flush_counters();
    last_codes_.clear();
    last_counters_.clear();
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const std::string_view code = codes[i];
        auto c = std::find_if(counters_.begin(), counters_.end(), [&](const auto& e) { return e.first == code.data(); });
        if (c == counters_.end()) {
            auto it = omitted.find(code);
            if (it == omitted.end()) it = omitted.emplace(std::string(code), 0).first;
            c = counters_.insert(counters_.end(), {code.data(), &it->second});
        }
        last_codes_.push_back(code.data());
        last_counters_.push_back(c->second);
    }
    last_run_ = 1;
}

std::vector<std::string> IngestResult::problem_codes() const {
    std::set<std::string> codes;
    for (const auto& p : message_problems) codes.insert(p.code);
    for (const auto& r : rejected)
        for (const auto& p : r.problems) codes.insert(p.code);
    for (const auto& [code, n] : omitted) codes.insert(code);
    return {codes.begin(), codes.end()};
}

Problem duplicate_melding_id(std::size_t melding_index, const std::string& melding_id) {
    return {problem_code::kMeldingDuplicateId, melding_path(melding_index, "meldingId"),
            "this sender used this meldingId before; every melding needs its own", melding_id};
}

bool structural_gate(const Snapshot& snapshot, const TypePolicy& type, WireFormat format, Melding& m, Decision& d, std::string& canonical) {
    m.check_structure();
    if (!m.structure_problems.empty()) {
        d.problems = std::move(m.structure_problems);
        return false;
    }
    // Each wire format is held to its own schema: XML to the XSD (as it was read), JSON here.
    if (!snapshot.schemas || format == WireFormat::Xml) {
        canonical = melding_to_json(m);
        return true;
    }
    if (auto p = snapshot.schemas->check_record(type.name, m, canonical)) {
        p->path = melding_path(m.index, p->path);
        p->melding_id = m.melding_id;
        d.problems = {std::move(*p)};
        return false;
    }
    return true;
}

IngestResult ingest(std::string_view body, WireFormat format, const IngestContext& ctx) {
    IngestResult out;
    out.report = ctx.report;
    out.report_budget = ctx.report.listed_bytes + body.size();
    IngestSink sink(ctx, format, out);
    ParseResult parsed = format == WireFormat::Json
                             ? read_json_bericht(body, ctx.limits, sink)
                             : read_xml_bericht(body, ctx.limits, sink, ctx.snapshot.schemas ? ctx.snapshot.schemas->xsd() : nullptr);
    sink.finish();
    if (!parsed.ok()) {
        out.outcome = parsed.too_many && !parsed.malformed ? IngestOutcome::TooLarge : IngestOutcome::Refused;
        out.message_problems = std::move(parsed.problems);
    } else if (!sink.envelope_problems().empty()) {
        out.outcome = sink.role_refused() ? IngestOutcome::Forbidden : IngestOutcome::Refused;
        out.message_problems = sink.envelope_problems();
    } else if (out.records_seen == 0) {
        out.outcome = IngestOutcome::Refused;
        out.message_problems.push_back({problem_code::kMessageSchema, "/meldingen", "a bericht holds at least one melding", {}});
    }
    if (out.outcome != IngestOutcome::Pending) {
        // A message-level fault rejects the whole message: nothing of it is stored.
        out.accepted.clear();
        out.records.clear();
        out.rejected.clear();
        out.rejected_total = 0;
        out.omitted = {};
        out.reset_counters();
        return out;
    }
    out.outcome = out.records.empty() ? IngestOutcome::Refused : IngestOutcome::Accepted;
    return out;
}

}  // namespace dg
