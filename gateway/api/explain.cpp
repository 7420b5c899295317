#include "api/explain.hpp"

#include <algorithm>
#include <sstream>

#include "core/dates.hpp"
#include "core/problem.hpp"
#include "core/random.hpp"

namespace dg {
namespace {

// Writes what the ingest pipeline reports as it judges the message: the report is made by the
// very code that judges a message for `serve`, not by a copy of its rules.
class ExplainTrail final : public IngestTrail {
public:
    ExplainTrail(const Snapshot& s, const Party& as, const Mandate* mandate, std::ostringstream& out)
        : s_(s), as_(as), mandate_(mandate), out_(out) {}

    void envelope(const Envelope& e, const TypePolicy* type, const Problems& problems) override {
        out_ << "policy version " << s_.policy->version() << "\n";
        out_ << "sender " << as_.name << " (OIN " << as_.oin << ", role " << as_.role << ")\n";
        out_ << "bericht " << e.bericht_id << ", berichttype " << e.berichttype << ", verzondenOp " << e.verzonden_op << "\n";
        reported = problems;
        bool role_refused = false, mandate_refused = false;
        for (const auto& p : problems) {
            if (p.code == problem_code::kSenderRoleNotPermitted) role_refused = true;
            else if (p.code == problem_code::kMandateNotPermitted) mandate_refused = true;
            else out_ << "  envelope: " << p.code << " at " << p.path << ": " << p.detail << "\n";
        }
        if (!type || problems.size() > static_cast<std::size_t>(role_refused) + static_cast<std::size_t>(mandate_refused)) return;
        out_ << "  role " << as_.role << " may send " << e.berichttype << ": " << (role_refused ? "no -> 403 sender.role-not-permitted" : "yes")
             << "\n";
        if (mandate_ && !role_refused)
            out_ << "  mandate covers " << e.berichttype << ": " << (mandate_refused ? "no -> 403 mandate.not-permitted" : "yes") << "\n";
        if (problems.empty())
            out_ << "  legal basis: " << type->legal_basis << "\n  purpose: " << type->purpose_id << " (" << type->purpose_name << ")\n";
    }

    void record(const Melding& m, const Decision& d, const std::vector<std::string>& trail) override {
        out_ << "\nmelding " << m.index << " (" << (m.melding_id.empty() ? "no meldingId" : m.melding_id) << ")\n";
        for (const auto& line : trail) out_ << "  - " << line << "\n";
        for (const auto& p : d.problems) out_ << "    " << p.code << " at " << p.path << ": " << p.detail << "\n";
        out_ << "  => " << (d.allowed() ? "ALLOWED" : "REFUSED");
        if (d.allowed() && !d.region.code.empty()) out_ << ", region " << d.region.code << " (" << d.region.name << ")";
        out_ << "\n";
    }

    Problems reported;  // the envelope's problems, written already

private:
    const Snapshot& s_;
    const Party& as_;
    const Mandate* mandate_;
    std::ostringstream& out_;
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
    ExplainTrail trail(snapshot, as, mandate, out);
    // Offline: the records are judged as serve judges them, but not against what is stored (whose
    // melding an intrekking or wijziging names, a meldingId used in an earlier message).
    const Pseudonymizer pseudonymize(random_hex(32));  // explain shows no pseudonym: any key will do
    IngestContext ctx{snapshot, pseudonymize, ParseLimits{}, &as, now_rfc3339_utc(), nullptr, ReportLimits{}, false, mandate, today};
    ctx.trail = &trail;
    ctx.new_id = [] { return std::string(); };
    const IngestResult r = ingest(body, format, ctx);
    for (const auto& p : r.message_problems)
        if (std::none_of(trail.reported.begin(), trail.reported.end(), [&](const Problem& q) { return q.code == p.code && q.path == p.path; }))
            out << "message: " << p.code << (p.path.empty() ? "" : " at " + p.path) << ": " << p.detail << "\n";
    if (r.outcome == IngestOutcome::Accepted && !r.accepted.empty())
        out << "\nnot judged offline: what serve checks against the stored records (whose melding an intrekking or wijziging names, "
               "a meldingId used in an earlier message)\n";
    all_allowed = r.outcome == IngestOutcome::Accepted && r.rejected_total == 0;
    return out.str();
}

}  // namespace dg
