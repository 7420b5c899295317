// The auditor's side of the API: entries, signed heads, RFC 9162 proofs, keys and the AVG art. 15
// subject report. Every read here is itself an audit entry.
#include <future>

#include "api/api.hpp"
#include "api/exchange.hpp"
#include "audit/keyring.hpp"
#include "core/dates.hpp"
#include "core/identifiers.hpp"
#include "core/json_util.hpp"
#include "core/problem.hpp"

namespace dg {
namespace {

bool parse_uint(const std::string& v, std::uint64_t& out) {
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoull(v);
    return true;
}

void write_head(JsonWriter& w, const SignedHead& h) {
    w.StartObject();
    write_string(w, "size");
    w.Uint64(h.size);
    write_kv(w, "root", h.root);
    write_kv(w, "time", h.time);
    write_kv(w, "signature", h.signature);
    write_kv(w, "keyId", h.key_id);
    w.EndObject();
}

void write_hashes(JsonWriter& w, const std::vector<merkle::Hash>& hashes) {
    w.StartArray();
    for (const auto& h : hashes) write_string(w, merkle::hex(h));
    w.EndArray();
}

void write_rows(JsonWriter& w, const std::vector<AuditRow>& rows) {
    w.StartArray();
    for (const auto& r : rows) {
        w.StartObject();
        write_string(w, "index");
        w.Uint64(r.index);
        write_kv(w, "leafHash", r.leaf_hash);
        write_kv(w, "entry", r.entry);  // a string: the exact bytes that were hashed
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace

std::optional<SignedHead> Api::publish_head() {
    std::lock_guard lock(head_mu_);
    AuditLog& log = store_.audit();
    auto latest = log.latest_head();
    const std::uint64_t size = log.committed_size();
    if (latest && latest->size >= size) return latest;
    SignedHead head = sign_tree_head(log, signer_, now_rfc3339_utc());
    WriteBatch b;
    b.head = head;
    if (!commit_and_wait(store_, std::move(b)).ok) return latest;
    return head;
}

void Api::audit_read(Exchange& x, std::string_view path, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    Problems bad;
    if (!parse_query(query, params)) bad.push_back({problem_code::kMessageSchema, "?", "query string is not well-formed", {}});
    auto param = [&](const char* name) -> const std::string* {
        for (const auto& [k, v] : params)
            if (k == name) return &v;
        return nullptr;
    };
    auto number = [&](const char* name, std::uint64_t fallback, bool required) -> std::uint64_t {
        const std::string* v = param(name);
        std::uint64_t n = fallback;
        if (!v) {
            if (required) bad.push_back({problem_code::kMessageSchema, std::string("?") + name, "required", {}});
        } else if (!parse_uint(*v, n)) {
            bad.push_back({problem_code::kMessageSchema, std::string("?") + name, "a non-negative whole number", {}});
        }
        return n;
    };
    // A proof that needs entries the audit retention removed: they are gone for good.
    const auto removed_entries = [&](std::uint64_t removed) {
        finish(x, problem_response(410, "Removed",
                                   "the entries before index " + std::to_string(removed) +
                                       " were removed at the end of their retention; proofs start at or after it",
                                   {}));
    };
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    AuditLog& log = store_.audit();
    if (path == "/v1/audit/keys") {
        // Every key the log was ever signed with, the current one first; a retired key with
        // the moment it stopped (heads and receipts name the key id they were signed with).
        w.StartObject();
        write_string(w, "keys");
        w.StartArray();
        for (const auto& k : published_keys(signer_, options_.audit_keys_dir)) {
            w.StartObject();
            write_kv(w, "keyId", k.key_id);
            write_kv(w, "algorithm", "Ed25519");
            write_kv(w, "publicKey", k.public_pem);
            write_string(w, "validFrom");
            if (k.valid_from.empty()) w.Null();
            else write_string(w, k.valid_from);
            write_string(w, "validUntil");
            if (k.valid_until.empty()) w.Null();
            else write_string(w, k.valid_until);
            write_string(w, "current");
            w.Bool(k.key_id == signer_.key_id());
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    } else if (path == "/v1/audit/head") {
        const auto head = publish_head();
        if (!head) return finish(x, problem_response(503, "No tree head", "the audit log could not be signed; try again", {}));
        write_head(w, *head);
    } else if (path == "/v1/audit/checkpoint") {
        // Once a witness has cosigned, the newest checkpoint it cosigned (a fresh head for every
        // request would be one no witness has seen yet); before that, the newest head.
        std::optional<std::pair<std::uint64_t, std::string>> head;
        if (options_.witnessed_head) head = options_.witnessed_head();
        if (!head)
            if (const auto latest = publish_head()) head.emplace(latest->size, latest->root);
        merkle::Hash root{};
        if (!head || !merkle::from_hex(head->second, root))
            return finish(x, problem_response(503, "No checkpoint", "the audit log could not be signed; try again", {}));
        Response res{http::status::ok, 11};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = signer_.checkpoint(options_.checkpoint_origin, head->first, root);
        if (options_.cosignatures) res.body() += options_.cosignatures(head->first, head->second);
        res.prepare_payload();
        standard_headers(res);
        return finish(x, std::move(res));
    } else if (path == "/v1/audit/entries") {
        AuditQuery q;
        q.from = number("from", 0, false);
        q.limit = static_cast<std::size_t>(number("limit", 100, false));
        if (const auto* a = param("action")) q.action = *a;
        if (const auto* p = param("party")) {
            q.party = *p;
            if (!oin_format_valid(*p)) bad.push_back({problem_code::kMessageSchema, "?party", "an OIN of 20 digits", {}});
        }
        if (q.limit < 1 || q.limit > 1000) bad.push_back({problem_code::kMessageSchema, "?limit", "limit is 1..1000", {}});
        for (const auto& [k, v] : params)
            if (k != "from" && k != "limit" && k != "action" && k != "party")
                bad.push_back({problem_code::kMessageSchema, "?" + k, "unknown query parameter", {}});
        if (bad.empty()) write_rows(w, log.entries(q));
    } else if (path == "/v1/audit/proof/inclusion") {
        const std::uint64_t index = number("index", 0, true), size = number("size", 0, true);
        const std::uint64_t committed = log.committed_size();
        if (bad.empty() && (index >= size || size > committed))
            bad.push_back({problem_code::kMessageSchema, "?size", "need index < size <= " + std::to_string(committed), {}});
        if (bad.empty() && index < log.removed_before()) return removed_entries(log.removed_before());
        if (bad.empty()) {
            auto nodes = log.nodes();
            w.StartObject();
            write_string(w, "index");
            w.Uint64(index);
            write_string(w, "size");
            w.Uint64(size);
            write_kv(w, "leafHash", merkle::hex(nodes->node(0, index)));
            write_kv(w, "root", merkle::hex(merkle::root(*nodes, size)));
            write_string(w, "proof");
            write_hashes(w, merkle::inclusion_proof(*nodes, index, size));
            w.EndObject();
        }
    } else {  // consistency
        const std::uint64_t from = number("from", 0, true), to = number("to", 0, true);
        const std::uint64_t committed = log.committed_size();
        if (bad.empty() && (from > to || to > committed))
            bad.push_back({problem_code::kMessageSchema, "?to", "need from <= to <= " + std::to_string(committed), {}});
        if (bad.empty() && from > 0 && from < log.removed_before()) return removed_entries(log.removed_before());
        if (bad.empty()) {
            auto nodes = log.nodes();
            w.StartObject();
            write_string(w, "from");
            w.Uint64(from);
            write_string(w, "to");
            w.Uint64(to);
            write_kv(w, "fromRoot", merkle::hex(merkle::root(*nodes, from)));
            write_kv(w, "toRoot", merkle::hex(merkle::root(*nodes, to)));
            write_string(w, "proof");
            write_hashes(w, merkle::consistency_proof(*nodes, from, to));
            w.EndObject();
        }
    }
    if (!bad.empty()) {
        for (const auto& p : bad) x.event.problem_codes.push_back(p.code);
        return finish(x, problem_response(400, "Bad query", "fix the query parameters", bad));
    }
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

void Api::subject_report(Exchange& x, const Request& req) {
    std::string subject;
    if (!subject_from_body(x, req, subject)) return;
    x.event.subjects.push_back(subject);  // the report itself is about this pupil
    std::vector<AuditRow> rows;
    rows = store_.audit().entries_mentioning(subject);
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "subject", subject);
    write_string(w, "entries");
    write_rows(w, rows);
    w.EndObject();
    finish(x, json_response(200, {buf.GetString(), buf.GetSize()}));
}

}  // namespace dg
