// POST /v1/berichten and /v1/validate: a message judged record by record (ingest), the effects
// resolved against what is stored, the records streamed to the store or batched, answered with its
// receipt once records and audit entry are durable; a re-sent message is answered from what was
// stored.
#include <openssl/evp.h>

#include <set>

#include "api/api.hpp"
#include "api/changes.hpp"
#include "api/exchange.hpp"
#include "core/dates.hpp"
#include "core/hex.hpp"
#include "core/identifiers.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "core/problem.hpp"
#include "core/sha256.hpp"

namespace dg {
namespace {

// RFC 9530 digest of the body bytes: "sha-256=:<base64>:".
std::string content_digest(std::string_view body) {
    unsigned char md[32];
    sha256({body}, md);
    unsigned char b64[48];
    const int n = EVP_EncodeBlock(b64, md, sizeof md);
    return "sha-256=:" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n)) + ":";
}

// The sha-256 member of a Content-Digest dictionary ("sha-256=:…:, sha-512=:…:"), or "" when it has none.
std::string sha256_member(std::string_view header) {
    const auto at = header.find("sha-256=:");
    if (at == std::string_view::npos || (at > 0 && header[at - 1] != ' ' && header[at - 1] != ',')) return {};
    const auto end = header.find(':', at + 9);
    return end == std::string_view::npos ? std::string("sha-256=:") : std::string(header.substr(at, end + 1 - at));
}

std::optional<WireFormat> format_of(std::string_view content_type) {
    auto semi = content_type.find(';');
    std::string base(content_type.substr(0, semi));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    for (auto& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (base == "application/json") return WireFormat::Json;
    if (base == "application/xml" || base == "text/xml") return WireFormat::Xml;
    return std::nullopt;
}

}  // namespace

Problems Api::resolve_effect(StoredRecord& rec, const Party& sender, const Judging& j, std::vector<std::string>& subjects) {
    auto refuse = [&](const char* code, const std::string& path, std::string detail) {
        return Problems{{code, melding_path(rec.melding_index, path), std::move(detail), rec.melding_id}};
    };
    const PolicySet& policy = *j.snapshot.policy;
    if (rec.effect == RecordEffect::Withdraw || rec.effect == RecordEffect::Change) {
        const bool withdraw = rec.effect == RecordEffect::Withdraw;
        const StoredRecord* own = nullptr;
        bool other_sender = false;
        const auto found = store_.find_by_melding_id(rec.target_id);
        for (const auto& c : found) {
            const TypePolicy* ct = policy.type(c.berichttype);
            // A correction is no record to correct (a notice a move left behind is: it has the id).
            if (ct && (ct->effect_kind == TypePolicy::Effect::Withdraw || ct->effect_kind == TypePolicy::Effect::Change)) continue;
            if (c.sender_oin != sender.oin) other_sender = true;
            else if (!own || c.active) own = &c;  // the record itself rather than a notice it left behind
        }
        if (!own)
            return other_sender
                       ? refuse(withdraw ? problem_code::kWithdrawalNotOwner : problem_code::kChangeNotOwner, "betreft",
                                withdraw ? "only the original sender may withdraw a melding" : "only the original sender may change a melding")
                       : refuse(withdraw ? problem_code::kWithdrawalUnknown : problem_code::kChangeUnknown, "betreft",
                                "no melding with this meldingId from this sender");
        if (!own->active)
            return refuse(withdraw ? problem_code::kWithdrawalUnknown : problem_code::kChangeUnknown, "betreft",
                          withdraw ? "this melding was withdrawn already" : "this melding was withdrawn");
        if (!withdraw)
            if (auto problems = judge_change(rec, *own, j.snapshot, sender, j.sent, j.format); !problems.empty()) return problems;
        rec.target_id = own->id;
        rec.region = own->region;
        rec.region_name = own->region_name;
        rec.gemeente = own->gemeente;
        rec.subject = own->subject;
        if (rec.legal_basis == "inherit") rec.legal_basis = own->legal_basis;
        if (!rec.subject.empty()) subjects.push_back(rec.subject);
    } else if (rec.effect == RecordEffect::Move) {
        // Only a pupil who has an active record in the old gemeente moves: naming a BSN pulls nothing.
        const Region* from = j.snapshot.regions->region_of(rec.from_gemeente);
        bool found = false;
        if (from)
            for (const auto& r : store_.records_of_subject(rec.subject, from->code)) found = found || r.gemeente == rec.from_gemeente;
        if (!found) return refuse(problem_code::kVerhuizingNotFound, "oudeGemeente", "no active record of this pupil in oudeGemeente");
    } else if (rec.effect == RecordEffect::Status && !rec.target_id.empty()) {
        const auto target = store_.find_record(rec.target_id, rec.region);
        // Only a record of this pupil in this region: an id alone must not reach other records.
        if (!target || !target->active || target->region != rec.region || target->subject != rec.subject)
            return refuse(problem_code::kMessageSchema, "betreft", "no active record with this id for this pupil in the pupil's region");
    }
    return {};
}

// Accepted records on their way to the store: effects resolved, each meldingId of the sender
// used once, then collected for one group commit (small messages) or streamed to the writer in
// chunks (large ones). Whether a meldingId was used in an earlier message is looked up in chunks
// when `check_taken` (validation, or a message judged again); otherwise the store's unique index
// decides at commit, and a message that loses that race is judged again.
class Api::StoreSink final : public AcceptedRecords {
public:
    StoreSink(Api& api, const Party& sender, const Snapshot& snapshot, WireFormat format, std::unique_ptr<BulkWrite> bulk, bool keep,
              bool check_taken)
        : api_(api), sender_(sender), snapshot_(snapshot), format_(format), bulk_(std::move(bulk)), keep_(keep), check_taken_(check_taken) {}

    void accept(StoredRecord&& r, IngestResult& out) override {
        // The envelope is complete before the first record: its date once per message.
        if (!judging_) judging_.emplace(Judging{snapshot_, format_, parse_rfc3339_local_date(out.envelope.verzonden_op).value_or(Date{})});
        if (auto p = api_.resolve_effect(r, sender_, *judging_, subjects); !p.empty()) return out.reject(r.melding_id, std::move(p));
        held_.push_back(std::move(r));
        if (held_.size() >= api_.options_.bulk_chunk) decide(out);
    }

    void flush(IngestResult& out) override { decide(out); }

    // Hands the last chunk to the writer; small messages keep their batch for the group commit.
    std::unique_ptr<BulkWrite> take_bulk() {
        if (bulk_ && !batch.records.empty()) {
            bulk_->add(std::move(batch.records));
            batch.records.clear();
        }
        return std::move(bulk_);
    }

    WriteBatch batch;
    std::vector<std::string> subjects;  // subjects found through the store (withdrawn records)
    std::set<std::string> legal_bases;

private:
    void decide(IngestResult& out) {
        if (held_.empty()) return;
        std::set<std::string> taken;
        if (check_taken_) {
            std::vector<std::string> ids;
            ids.reserve(held_.size());
            for (const auto& r : held_) ids.push_back(r.melding_id);
            for (auto& id : api_.store_.melding_ids_taken(sender_.oin, ids)) taken.insert(std::move(id));
        }
        for (auto& r : held_) {
            if (taken.contains(r.melding_id)) {
                out.reject(r.melding_id, {duplicate_melding_id(r.melding_index, r.melding_id)});
                continue;
            }
            legal_bases.insert(r.legal_basis);
            out.records.push_back({r.melding_id, r.id, r.region});
            if (keep_) batch.records.push_back(std::move(r));
        }
        held_.clear();
        if (bulk_ && batch.records.size() >= api_.options_.bulk_chunk) {
            bulk_->add(std::move(batch.records));
            batch.records.clear();
        }
    }

    Api& api_;
    const Party& sender_;
    const Snapshot& snapshot_;
    WireFormat format_;
    std::optional<Judging> judging_;
    std::unique_ptr<BulkWrite> bulk_;
    bool keep_, check_taken_;
    std::vector<StoredRecord> held_;
};

void Api::berichten(Exchange& x, const Request& req, bool store) {
    const auto ct = req.find(http::field::content_type);
    const auto format = format_of(ct == req.end() ? std::string_view() : std::string_view(ct->value().data(), ct->value().size()));
    if (!format) return finish(x, problem_response(415, "Unsupported media type", "send application/json or application/xml", {}));
    // RFC 9530: a sender that states the digest of what it sent is held to it (the receipt names it).
    const std::string digest = content_digest(req.body());
    if (const auto cd = req.find("Content-Digest"); cd != req.end()) {
        const std::string claimed = sha256_member(std::string_view(cd->value().data(), cd->value().size()));
        if (!claimed.empty() && claimed != digest) {
            x.event.problem_codes.push_back(problem_code::kMessageDigestMismatch);
            return finish(
                x, problem_response(400, "Digest mismatch", "the body does not match its Content-Digest; nothing was stored",
                                    {{problem_code::kMessageDigestMismatch, "Content-Digest", "send the sha-256 of the exact body bytes", {}}}));
        }
    }

    const bool bulk = store && req.body().size() > options_.bulk_threshold_bytes;
    StoreSink sink(*this, *x.party, *x.snapshot, *format, bulk ? store_.begin_bulk() : nullptr, store, !store || x.attempt > 0);
    IngestContext ctx{*x.snapshot, pseudonymize_, options_.limits, x.party, x.event.time, &sink, options_.report, store, x.mandate, x.day()};
    IngestResult r;
    try {
        r = ingest(req.body(), *format, ctx);
    } catch (const StoreError&) {  // a store look-up failed while resolving effects: the bulk write goes back
        metrics_.store_error();
        return finish(x, problem_response(503, "Store unavailable", "nothing was stored; try again later", {}), {}, sink.take_bulk());
    }
    std::unique_ptr<BulkWrite> bulk_write = sink.take_bulk();
    if (store) x.content_hash = r.content_hash;
    x.event.berichttype = r.envelope.berichttype;
    x.event.bericht_id = r.envelope.bericht_id;
    // A re-sent message: answered from what was stored, whatever this copy's checks say.
    if (store && !r.envelope.bericht_id.empty()) {
        std::optional<MessageRow> stored;
        try {
            stored = store_.find_message(x.party->oin, r.envelope.bericht_id);
        } catch (const StoreError&) {
            metrics_.store_error();
            return finish(x, problem_response(503, "Store unavailable", "nothing was stored; try again later", {}), {}, std::move(bulk_write));
        }
        if (stored) {
            if (bulk_write) bulk_write->finish(false, {}, std::nullopt, [](const CommitResult&) {});
            Exchange h = x.header();  // answered without the (possibly large) record lists
            h.reply = std::move(x.reply);
            x = std::move(h);
            return known_message(x, *stored, x.content_hash);
        }
    }
    x.event.subjects = std::move(r.subjects);
    x.event.subjects.insert(x.event.subjects.end(), sink.subjects.begin(), sink.subjects.end());
    if (r.type) {
        x.event.purpose = r.type->purpose_id;
        x.event.legal_basis = r.type->legal_basis;
        if (x.event.legal_basis == "inherit") {  // that of the records withdrawn
            x.event.legal_basis.clear();
            for (const auto& b : sink.legal_bases) x.event.legal_basis += (x.event.legal_basis.empty() ? "" : " | ") + b;
        }
    }
    x.event.problem_codes = r.problem_codes();  // distinct: an entry does not grow with the records refused
    metrics_.records(r.envelope.berichttype.empty() || !r.type ? "unknown" : r.type->name, "rejected", r.rejected_total);

    if (!store) {
        const bool valid = r.message_problems.empty() && r.rejected_total == 0;
        x.event.outcome = valid ? "allowed" : "refused";
        return finish(x, json_response(200, validation_json(r)));
    }

    if (r.outcome != IngestOutcome::Accepted) {
        const bool malformed = r.message_problems.size() == 1 && r.message_problems[0].code == problem_code::kMessageMalformed;
        const int status = http_status(r.outcome);
        const char* title = malformed                    ? "Malformed message"
                            : status == 403              ? "Not permitted"
                            : status == 413              ? "Message too large"
                            : r.message_problems.empty() ? "Nothing acceptable"
                                                         : "Invalid message";
        const std::string detail =
            r.message_problems.empty() ? "no melding was accepted; every problem is listed" : "the message was refused as a whole";
        return finish(x, refusal_response(status, title, detail, r), {}, std::move(bulk_write));
    }

    metrics_.records(r.type->name, "accepted", r.records.size());
    x.event.record_ids.reserve(r.records.size());
    for (const auto& rec : r.records) x.event.record_ids.push_back(rec.id);
    std::string receipt = x.intermediary ? receipt_json(r, x.party->oin, x.intermediary->oin) : receipt_json(r);
    // A 100k batch's lists run to tens of MB: let go of what is no longer needed before the audit
    // entry and the stored receipt are built.
    const std::size_t accepted = r.records.size();
    std::vector<ReceiptRow>().swap(r.records);
    std::vector<RejectedRecord>().swap(r.rejected);
    sink.batch.message = MessageRow{x.party->oin, r.envelope.bericht_id, x.content_hash, std::move(receipt), x.event.time};
    // Signed inside the commit, once the index of the message's audit entry is known (interface.md, receipts).
    sink.batch.message->seal = [this, bericht = r.envelope.bericht_id, party = x.party->oin, digest, at = x.event.time, accepted,
                                rejected = r.rejected_total](std::uint64_t index, std::string& out) {
        const std::string text = signed_receipt_text(bericht, party, digest, at, index, accepted, rejected);
        out.pop_back();  // the closing brace of the receipt object
        out += ",\"receivedAt\":\"" + at + "\",\"digest\":\"" + digest + "\",\"auditIndex\":" + std::to_string(index) + ",\"keyId\":\"" +
               signer_.key_id() + "\",\"signature\":\"" + signer_.sign_base64(text) + "\"}";
    };
    // The body is the receipt as the commit sealed it (one copy of what can be megabytes).
    finish(x, json_response(202, {}), std::move(sink.batch), std::move(bulk_write));
}

void Api::known_message(Exchange& x, const MessageRow& stored, const std::string& content_hash) {
    if (stored.content_hash == content_hash) {
        x.event.outcome = "replayed";
        return finish(x, json_response(202, stored.receipt));
    }
    x.event.problem_codes.push_back(problem_code::kMessageDuplicateId);
    finish(x, problem_response(409, "Conflict", "this berichtId was accepted before with other content",
                               {{problem_code::kMessageDuplicateId, "/berichtId", "use a new berichtId for new content", {}}}));
}

}  // namespace dg
