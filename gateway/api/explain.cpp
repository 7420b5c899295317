#include "api/explain.hpp"

#include <sstream>

#include "adapters/json_reader.hpp"
#include "adapters/xml_reader.hpp"

namespace dg {
namespace {

class ExplainSink final : public BerichtSink {
public:
    ExplainSink(const Snapshot& s, const Party& as, const Mandate* mandate, WireFormat f, const Date& today, std::ostringstream& out)
        : s_(s), as_(as), mandate_(mandate), format_(f), today_(today), out_(out) {}

    void on_envelope(const Envelope& e) override {
        const PolicySet& policy = *s_.policy;
        out_ << "policy version " << policy.version() << "\n";
        out_ << "sender " << as_.name << " (OIN " << as_.oin << ", role " << as_.role << ")\n";
        out_ << "bericht " << e.bericht_id << ", berichttype " << e.berichttype << ", verzondenOp " << e.verzonden_op << "\n";
        for (const auto& p : policy.check_envelope(e)) {
            out_ << "  envelope: " << p.code << " at " << p.path << ": " << p.detail << "\n";
            refused_ = true;
        }
        if (refused_) return;
        type_ = policy.type(e.berichttype);
        sent_ = *parse_rfc3339_local_date(e.verzonden_op);
        const bool may = policy.role_may_send(as_.role, e.berichttype);
        out_ << "  role " << as_.role << " may send " << e.berichttype << ": " << (may ? "yes" : "no -> 403 sender.role-not-permitted") << "\n";
        if (!may) refused_ = true;
        if (may && mandate_) {
            const bool covered = mandate_->covers_type(e.berichttype);
            out_ << "  mandate covers " << e.berichttype << ": " << (covered ? "yes" : "no -> 403 mandate.not-permitted") << "\n";
            if (!covered) refused_ = true;
        }
        if (!refused_)
            out_ << "  legal basis: " << type_->legal_basis << "\n  purpose: " << type_->purpose_id << " (" << type_->purpose_name << ")\n";
    }

    void on_melding(Melding&& m) override {
        if (refused_ || !type_) return;
        if (format_ == WireFormat::Xml) type_->apply_text_types(m);
        std::vector<std::string> trail;
        Decision d = s_.policy->decide(*type_, sent_, today_, m, &as_, *s_.regions, &trail);
        // Then the schemas, exactly as serve applies them to what the policy allowed.
        if (d.allowed()) {
            std::string canonical;
            const bool passed = structural_gate(s_, *type_, format_, m, d, canonical);
            trail.push_back(std::string(format_ == WireFormat::Xml ? "XML Schema (XSD)" : "JSON Schema") + ": " +
                            (passed ? "ok" : "refused: " + d.problems.front().code));
        }
        out_ << "\nmelding " << m.index << " (" << (m.melding_id.empty() ? "no meldingId" : m.melding_id) << ")\n";
        for (const auto& line : trail) out_ << "  - " << line << "\n";
        for (const auto& p : d.problems) out_ << "    " << p.code << " at " << p.path << ": " << p.detail << "\n";
        out_ << "  => " << (d.allowed() ? "ALLOWED" : "REFUSED");
        if (d.allowed() && !d.region.code.empty()) out_ << ", region " << d.region.code << " (" << d.region.name << ")";
        out_ << "\n";
        if (!d.allowed()) any_refused_ = true;
        ++count_;
    }

    bool all_allowed() const { return !refused_ && !any_refused_ && count_ > 0; }

private:
    const Snapshot& s_;
    const Party& as_;
    const Mandate* mandate_;
    WireFormat format_;
    Date today_;
    std::ostringstream& out_;
    const TypePolicy* type_ = nullptr;
    Date sent_;
    bool refused_ = false, any_refused_ = false;
    std::size_t count_ = 0;
};

}  // namespace

std::string explain_bericht(std::string_view body, WireFormat format, const Snapshot& snapshot, const Party& as, bool& all_allowed,
                            const Party* intermediary, const Date& today) {
    std::ostringstream out;
    const Mandate* mandate = nullptr;
    if (intermediary && intermediary->oin != as.oin) {
        out << "intermediary " << intermediary->name << " (OIN " << intermediary->oin << ", role " << intermediary->role << ") sends for " << as.name
            << " on " << today.iso() << "\n";
        mandate = intermediary->role == "intermediary" ? snapshot.mandates->find(intermediary->oin, as.oin, today) : nullptr;
        if (!mandate) {
            out << "  mandate in force: none -> 403 mandate.missing"
                << (intermediary->role == "intermediary" ? "" : " (only an intermediary may act for another party)") << "\n";
            all_allowed = false;
            return out.str();
        }
        out << "  mandate in force: " << mandate->valid_from.iso() << " .. " << mandate->valid_until.iso() << "\n";
        if (!mandate->covers_endpoint("berichten")) {
            out << "  mandate covers the berichten endpoint: no -> 403 mandate.not-permitted\n";
            all_allowed = false;
            return out.str();
        }
    }
    ExplainSink sink(snapshot, as, mandate, format, today, out);
    ParseLimits limits;
    const ParseResult r = format == WireFormat::Json ? read_json_bericht(body, limits, sink)
                                                     : read_xml_bericht(body, limits, sink, snapshot.schemas ? snapshot.schemas->xsd() : nullptr);
    for (const auto& p : r.problems) out << "message: " << p.code << (p.path.empty() ? "" : " at " + p.path) << ": " << p.detail << "\n";
    all_allowed = r.ok() && sink.all_allowed();
    return out.str();
}

}  // namespace dg
