// The request's way through the API: who is asking (party, principal, rate), which route, the one
// place where a failed read becomes an answer. A handler's answer is a response plus what must be
// written (finish() adds the request's audit entry); commit() writes it and sends the response once
// it is durable. The handlers live in the *_api.cpp files.
#include "api/api.hpp"
#include "core/memory.hpp"

#include <chrono>

#include "api/exchange.hpp"
#include "core/hex.hpp"
#include "core/identifiers.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "core/problem.hpp"
#include "core/random.hpp"

namespace dg {
namespace {

constexpr int kMaxAttempts = 4;  // judgements of one message that lost a meldingId race

// W3C traceparent "00-<32 hex trace>-<16 hex parent>-<2 hex flags>": its trace id and parent id,
// or nothing when it is malformed (then a new trace starts).
std::optional<std::pair<std::string, std::string>> parse_traceparent(std::string_view tp) {
    if (tp.size() != 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' || !lower_hex(tp.substr(0, 2)) || tp.substr(0, 2) == "ff" ||
        !lower_hex(tp.substr(53, 2)))
        return std::nullopt;
    const auto trace = tp.substr(3, 32), parent = tp.substr(36, 16);
    if (!lower_hex(trace) || !lower_hex(parent) || trace == std::string(32, '0') || parent == std::string(16, '0')) return std::nullopt;
    return std::pair{std::string(trace), std::string(parent)};
}

// A UUIDv7 (RFC 9562) in its canonical text form, lower or upper case.
bool uuid_v7(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    const char variant = static_cast<char>(std::tolower(static_cast<unsigned char>(s[19])));
    return s[14] == '7' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

// A new UUIDv7: 48 bits of Unix milliseconds, version 7, 74 random bits with the RFC variant.
std::string new_uuid_v7() {
    unsigned char b[16];
    random_bytes(b, sizeof b);
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
    b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));
    const std::string h = to_hex(b, sizeof b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool decode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') out += ' ';
        else if (in[i] == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else out += in[i];
    }
    return true;
}

}  // namespace

void write_record(JsonWriter& w, const StoredRecord& r, const PartyRegistry& parties) {
    w.StartObject();
    write_kv(w, "id", r.id);
    write_kv(w, "berichttype", r.berichttype);
    write_kv(w, "status", r.status);
    write_kv(w, "region", r.region);
    write_kv(w, "gemeente", r.gemeente);
    write_kv(w, "receivedAt", r.received_at);
    write_kv(w, "senderOin", r.sender_oin);
    if (const Party* p = parties.find(r.sender_oin)) write_kv(w, "senderName", p->shown_name());
    if (!r.intermediary_oin.empty()) write_kv(w, "intermediaryOin", r.intermediary_oin);
    write_kv(w, "berichtId", r.bericht_id);
    write_kv(w, "meldingId", r.melding_id);
    write_kv(w, "legalBasis", r.legal_basis);
    write_kv(w, "purpose", r.purpose);
    write_kv(w, "policyVersion", r.policy_version);
    write_kv(w, "retentionUntil", r.retention_until);
    write_string(w, "active");
    w.Bool(r.active);
    write_string(w, "melding");
    w.RawValue(r.data.data(), r.data.size(), rapidjson::kObjectType);
    w.EndObject();
}

// The answer when a commit did not happen: back-pressure (the write queue is full) or a store
// that cannot be written. Nothing was stored either way.
Response not_stored(const CommitResult& commit) {
    if (commit.melding_taken)  // judged again kMaxAttempts times, each time overtaken by another message
        return problem_response(503, "Store unavailable", "nothing was stored; try again later", {});
    Response res = commit.busy ? problem_response(503, "Busy", "too many requests are waiting to be stored; nothing was stored, retry shortly",
                                                  {{problem_code::kServerBusy, "", "retry after 1 s", {}}})
                               : problem_response(503, "Store unavailable", "nothing was stored; try again later", {});
    res.set(http::field::retry_after, commit.busy ? "1" : "5");
    return res;
}

bool lower_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool query_since(const std::string& v, std::string& since) {
    if (parse_date(v)) since = v + "T00:00:00.000Z";
    else if (parse_rfc3339_local_date(v) && (v.back() == 'Z' || v.back() == 'z')) since = v;
    else return false;
    return true;
}

bool query_limit(const std::string& v, std::size_t max, std::size_t& limit) {
    const bool digits = !v.empty() && v.size() <= 4 && std::all_of(v.begin(), v.end(), ::isdigit);
    const std::size_t n = digits ? std::stoul(v) : 0;
    if (n < 1 || n > max) return false;
    limit = n;
    return true;
}

bool query_status(const std::string& v) {
    static const std::vector<std::string> statuses = {"geregistreerd", "in-behandeling", "afgesloten", "ingetrokken", "ter-kennisname", "verhuisd"};
    return std::find(statuses.begin(), statuses.end(), v) != statuses.end();
}

bool status_or_since(const std::string& k, const std::string& v, std::string& status, std::string& since, Problems& bad) {
    if (k == "status") {
        if (!query_status(v)) bad.push_back({problem_code::kMessageSchema, "?status", "unknown status", {}});
        status = v;
        return true;
    }
    if (k != "since") return false;
    if (!query_since(v, since))
        bad.push_back({problem_code::kMessageSchema, "?since", "since is a date (YYYY-MM-DD) or a UTC timestamp ending in Z", {}});
    return true;
}

bool route_matches(std::string_view tmpl, std::string_view path) {
    const auto brace = tmpl.find('{');
    if (brace == std::string_view::npos) return tmpl == path;
    // A "{…}" at the end of a template matches one non-empty path segment.
    return path.size() > brace && path.substr(0, brace) == tmpl.substr(0, brace) && path.find('/', brace) == std::string_view::npos;
}

bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out) {
    out.clear();
    std::size_t start = 0;
    while (start <= query.size() && !query.empty()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        const auto part = query.substr(start, end - start);
        if (!part.empty()) {
            const auto eq = part.find('=');
            std::string k, v;
            if (!decode(part.substr(0, eq), k)) return false;
            if (eq != std::string_view::npos && !decode(part.substr(eq + 1), v)) return false;
            out.emplace_back(std::move(k), std::move(v));
        }
        start = end + 1;
    }
    return true;
}

Api::Api(SnapshotHolder& snapshots, RecordStore& store, Pseudonymizer pseudonymize, HeadSigner signer, Metrics& metrics, ApiOptions options)
    : snapshots_(snapshots),
      store_(store),
      pseudonymize_(std::move(pseudonymize)),
      signer_(std::move(signer)),
      metrics_(metrics),
      options_(options),
      rate_limiter_(options.party_rate, options.party_burst) {}

Api::Exchange Api::begin(const Request& req, const Caller& caller, Reply reply) {
    Exchange x;
    x.reply = std::move(reply);
    x.snapshot = snapshots_.get();
    x.event.time = now_rfc3339_utc();
    if (const auto tp = req.find("traceparent"); tp != req.end()) {
        if (auto ids = parse_traceparent(std::string_view(tp->value().data(), tp->value().size()))) {
            x.event.trace_id = std::move(ids->first);
            x.event.parent_span_id = std::move(ids->second);
        } else {
            log_warn("malformed traceparent ignored: a new trace starts", {{"party", caller.oin}});
        }
    }
    if (x.event.trace_id.empty()) x.event.trace_id = random_hex(16);
    x.event.span_id = random_hex(8);
    if (const auto fsc = req.find("Fsc-Transaction-Id"); fsc != req.end()) {
        x.event.fsc_transaction_id = std::string(fsc->value().data(), fsc->value().size());
        x.bad_transaction_id = !uuid_v7(x.event.fsc_transaction_id);
        if (x.bad_transaction_id) x.event.fsc_transaction_id = "(malformed)";  // caller text stays out of the log
    } else {
        x.event.fsc_transaction_id = new_uuid_v7();
    }
    x.event.party_oin = caller.oin;
    x.event.cert_fingerprint = caller.fingerprint;
    x.caller = caller;
    x.event.policy_version = x.snapshot->policy->version();
    x.party = x.snapshot->parties->find(caller.oin);
    if (x.party) x.event.party_role = x.party->role;
    return x;
}

// The audit action of a request: its method and the template of the route its path matches (ids
// belong in recordIds, and a raw path can carry anything, a BSN included), or "(unknown path)".
std::string Api::action_of(const Request& req) {
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    std::string shown = "(unknown path)";
    for (const auto& r : routes())
        if (route_matches(r.path, path)) {
            shown = r.path;
            if (r.method == req.method()) break;
        }
    // An unknown method is the client's own text: it stays out of the log too.
    const std::string method = req.method() == http::verb::unknown ? std::string("(unknown method)") : std::string(req.method_string());
    return method + " " + shown;
}

void Api::refuse(const Request& head, const Caller& caller, int status, Problem problem, Reply reply) {
    Exchange x = begin(head, caller, std::move(reply));
    x.route = "refused";
    x.event.action = action_of(head);
    x.event.problem_codes.push_back(problem.code);
    const std::string detail = problem.detail;
    Response res = problem_response(status,
                                    status == 413   ? "Message too large"
                                    : status == 503 ? "Busy"
                                                    : "Request refused",
                                    detail, {std::move(problem)});
    if (status == 503 || status == 429) res.set(http::field::retry_after, "2");
    finish(x, std::move(res));
    commit(x);
}

bool Api::registered(std::string_view oin) const { return !oin.empty() && snapshots_.get()->parties->find(oin) != nullptr; }

void Api::handle(std::shared_ptr<const Request> request, const Caller& caller, Reply reply) {
    dispatch(request->body().size(), [this, request, caller, reply = std::move(reply)]() mutable { serve(request, caller, std::move(reply), 0); });
}

// Bodies above heavy_bytes go to their own lane, the rest to the worker pool (inline without one).
void Api::dispatch(std::size_t body_bytes, std::function<void()> job) {
    if (options_.run_heavy && body_bytes > options_.heavy_bytes) return options_.run_heavy(std::move(job));
    if (options_.run_work) return options_.run_work(std::move(job));
    job();
}

void Api::serve(const std::shared_ptr<const Request>& request, const Caller& caller, Reply reply, int attempt) {
    Exchange x = begin(*request, caller, std::move(reply));
    x.attempt = attempt;
    respond(x, request);
    commit(x);
}

Api::Answer Api::answer(std::shared_ptr<const Request> request, const Caller& caller) {
    Exchange x = begin(*request, caller, [](Response&&) {});
    respond(x, request);
    return std::move(*x.answer);
}

void Api::respond(Exchange& x, const std::shared_ptr<const Request>& request) {
    x.request = request;
    const Request& req = *request;
    const Caller& caller = x.caller;
    const std::string_view target(req.target().data(), req.target().size());
    const auto qpos = target.find('?');
    const std::string_view path = target.substr(0, qpos);
    const std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
    const auto method = req.method();

    // Which route: the table decides the handler and the endpoint of the policy's role table.
    const Route* route = nullptr;
    bool path_known = false;
    for (const auto& r : routes()) {
        if (!route_matches(r.path, path)) continue;
        path_known = true;
        if (r.method == method) route = &r;
    }
    x.route = route ? route->metric : "other";
    x.event.action = action_of(req);

    // One party over its rate is held back; the others are not.
    int retry_after = 0;
    if (!rate_limiter_.take(caller.oin.empty() ? caller.fingerprint : caller.oin, Clock::now(), retry_after)) {
        metrics_.rate_limited();
        x.event.problem_codes.push_back(problem_code::kSenderRateLimited);
        Response res = problem_response(429, "Too many requests", "this party is over its rate limit; retry later",
                                        {{problem_code::kSenderRateLimited, "", "retry after " + std::to_string(retry_after) + " s", {}}});
        res.set(http::field::retry_after, std::to_string(retry_after));
        return finish(x, std::move(res));
    }
    if (!x.party) {
        return finish(x, problem_response(403, "Unknown sender", "the certificate's OIN is not in the party registry",
                                          {{problem_code::kSenderUnknown, "", "register the OIN of this certificate before sending", {}}}));
    }
    if (x.bad_transaction_id)
        return finish(
            x, problem_response(400, "Bad request", "Fsc-Transaction-Id must be a UUIDv7",
                                {{problem_code::kMessageSchema, "Fsc-Transaction-Id", "send a UUIDv7 (RFC 9562), or leave the header out", {}}}));
    if (!path_known) return finish(x, problem_response(404, "Not found", "no such resource", {}));
    if (!route)
        return finish(x, problem_response(405, "Method not allowed", "this resource does not support " + std::string(req.method_string()), {}));
    if (!act_for_principal(x, req, *route)) return;
    // "public": any registered party (the OpenAPI document, the audit signing keys).
    if (route->endpoint != "public" && !x.snapshot->policy->role_may_use(x.party->role, route->endpoint))
        return finish(
            x, problem_response(403, "Not permitted", "role " + x.party->role + " may not use this endpoint",
                                {{problem_code::kSenderRoleNotPermitted, "", "role " + x.party->role + " may not use " + x.event.action, {}}}));

    // The one place where a failed read becomes an answer: the store's StoreError is a 503 (nothing
    // was stored); any other exception is a bug, answered 500 and logged, never passed off as the store's.
    try {
        run(x, req, *route, path, query);
    } catch (const StoreError&) {
        if (!x.answered) store_unavailable(x);
    } catch (const std::exception& e) {
        metrics_.internal_error();
        log_error("internal error while serving a request", {{"route", x.route}, {"what", e.what()}});
        if (!x.answered) finish(x, problem_response(500, "Internal error", "the gateway failed to answer; nothing was stored", {}));
    }
    if (!x.answered) {  // a handler that returned without an answer is a bug: never silence
        metrics_.internal_error();
        log_error("a handler returned no answer", {{"route", x.route}});
        finish(x, problem_response(500, "Internal error", "the gateway failed to answer; nothing was stored", {}));
    }
}

void Api::run(Exchange& x, const Request& req, const Route& route, std::string_view path, std::string_view query) {
    switch (route.handler) {
    case Handler::Berichten: return berichten(x, req, true);
    case Handler::Validate: return berichten(x, req, false);
    case Handler::Caseload: return caseload(x, query);
    case Handler::Summary: return summary(x);
    case Handler::Record: return record(x, path.substr(std::string_view("/v1/records/").size()));
    case Handler::Search: return search(x, req);
    case Handler::SubjectReport: return subject_report(x, req);
    case Handler::AuditRead: return audit_read(x, path, query);
    case Handler::OpenApi: return openapi(x);
    case Handler::Me: return me(x);
    case Handler::Ui: return ui(x, path.size() > 4 ? path.substr(4) : std::string_view("index.html"));
    case Handler::Logs: return logs(x, query);
    case Handler::Meldingen: return meldingen(x, query);
    case Handler::Rapportage: return rapportage(x, req, query);
    case Handler::Register: return processing_register(x);
    case Handler::ProcessingActivities: return processing_activities(x, req);
    }
}

// Namens (messages.md "Intermediaries"): an intermediary names the principal it acts for; with a
// mandate in force today that covers the endpoint, the request is judged as the principal's from
// here on, and the audit entry keeps both. Refusals are audited with both OINs as well.
bool Api::act_for_principal(Exchange& x, const Request& req, const Route& route) {
    const auto header = req.find("Namens");
    const std::string_view namens = header == req.end() ? std::string_view() : std::string_view(header->value().data(), header->value().size());
    const bool is_intermediary = x.party->role == "intermediary";
    auto refuse = [&](int status, const char* title, const char* code, std::string detail, std::string hint) {
        x.event.problem_codes.push_back(code);
        finish(x, problem_response(status, title, std::move(detail), {{code, "Namens", std::move(hint), {}}}));
        return false;
    };
    if (header == req.end() || namens == x.party->oin) {
        // Without Namens an intermediary reads only what concerns itself (the public endpoints).
        if (is_intermediary && route.endpoint != "public")
            return refuse(403, "No mandate", problem_code::kMandateMissing, "an intermediary acts for a principal only",
                          "send Namens: <OIN of the principal> for a party you hold a mandate for");
        return true;
    }
    if (!oin_format_valid(namens))
        return refuse(400, "Bad request", problem_code::kMessageSchema, "Namens must be an OIN of 20 digits", "send Namens: <20-digit OIN>");
    x.intermediary = x.party;
    x.event.intermediary_oin = x.party->oin;
    x.event.party_oin = std::string(namens);
    const Party* principal = x.snapshot->parties->find(namens);
    x.event.party_role = principal ? principal->role : std::string();
    const Mandate* mandate = is_intermediary && principal ? x.snapshot->mandates->find(x.party->oin, namens, x.day()) : nullptr;
    if (!mandate)
        return refuse(403, "No mandate", problem_code::kMandateMissing,
                      is_intermediary ? "this intermediary holds no mandate for that party today" : "only an intermediary may act for another party",
                      is_intermediary ? "register a mandate for this principal, or check its period" : "leave Namens out, or send your own OIN");
    if (route.endpoint != "public" && !mandate->covers_endpoint(route.endpoint))
        return refuse(403, "Not permitted", problem_code::kMandateNotPermitted, "the mandate does not cover this endpoint",
                      "the mandate for this principal does not list " + route.endpoint);
    x.party = principal;
    x.mandate = mandate;
    return true;
}

const std::vector<Api::Route>& Api::routes() {
    static const std::vector<Route> table = {
        {http::verb::post, "/v1/berichten", "berichten", "berichten", Handler::Berichten},
        {http::verb::post, "/v1/validate", "validate", "validate", Handler::Validate},
        {http::verb::get, "/v1/meldingen", "meldingen", "meldingen", Handler::Meldingen},
        {http::verb::get, "/v1/caseload", "caseload", "caseload", Handler::Caseload},
        {http::verb::get, "/v1/caseload/summary", "caseload", "caseload", Handler::Summary},
        {http::verb::get, "/v1/caseload/rapportage", "caseload", "caseload", Handler::Rapportage},
        {http::verb::post, "/v1/records/search", "records", "records", Handler::Search},
        {http::verb::get, "/v1/records/{id}", "records", "records", Handler::Record},
        {http::verb::get, "/v1/audit/entries", "audit", "audit", Handler::AuditRead},
        {http::verb::get, "/v1/audit/head", "audit", "audit", Handler::AuditRead},
        {http::verb::get, "/v1/audit/checkpoint", "audit", "audit", Handler::AuditRead},
        {http::verb::get, "/v1/audit/proof/inclusion", "audit", "audit", Handler::AuditRead},
        {http::verb::get, "/v1/audit/proof/consistency", "audit", "audit", Handler::AuditRead},
        {http::verb::post, "/v1/audit/subject-report", "audit", "audit", Handler::SubjectReport},
        {http::verb::post, "/v1/processing-activities", "audit", "audit", Handler::ProcessingActivities},
        {http::verb::get, "/v1/logs", "public", "logs", Handler::Logs},
        {http::verb::get, "/v1/verwerkingsregister", "public", "register", Handler::Register},
        {http::verb::get, "/v1/audit/keys", "public", "audit", Handler::AuditRead},
        {http::verb::get, "/v1/openapi.json", "public", "openapi", Handler::OpenApi},
        {http::verb::get, "/openapi.json", "public", "openapi", Handler::OpenApi},  // alias
        {http::verb::get, "/v1/me", "public", "me", Handler::Me},
        {http::verb::get, "/ui/", "public", "ui", Handler::Ui},
        {http::verb::get, "/ui/{file}", "public", "ui", Handler::Ui},
    };
    return table;
}

void Api::finish(Exchange& x, Response response, WriteBatch batch, std::unique_ptr<BulkWrite> bulk) {
    x.answered = true;
    const int status = static_cast<int>(response.result_int());
    x.event.status = status;
    if (!x.bad_transaction_id) response.set("Fsc-Transaction-Id", x.event.fsc_transaction_id);
    if (x.event.outcome.empty()) x.event.outcome = status < 400 ? "allowed" : "refused";
    if (x.event.purpose.empty() && x.party)
        if (const RolePurpose* p = x.snapshot->policy->role_purpose(x.party->role)) {
            x.event.purpose = p->id;
            x.event.legal_basis = p->legal_basis;
        }
    if (const ProcessingActivity* a = x.snapshot->policy->activity(x.event.purpose)) x.event.processing_activity = a->id;
    x.event.end_time = now_rfc3339_utc();
    // Should a concurrent copy of this message commit first, the store refuses this one and the
    // answer is decided again from what that copy stored.
    if (batch.message) x.retry = std::make_shared<Exchange>(x.header());
    batch.audit_entries.push_back(canonical_json(std::move(x.event)));
    x.answer.emplace(Answer{std::move(response), std::move(batch), std::move(bulk)});
}

void Api::commit(Exchange& x) {
    Answer a = std::move(*x.answer);
    x.answer.reset();
    const int status = static_cast<int>(a.response.result_int());
    auto shared = std::make_shared<Response>(std::move(a.response));
    auto done = [this, retry = std::move(x.retry), reply = std::move(x.reply), shared, route = x.route, started = x.started,
                 &metrics = metrics_](const CommitResult& commit) {
        // A meldingId of this message was stored meanwhile by another one: nothing of this one
        // was written; judged again (off the writer's thread), it refuses that record.
        if (commit.melding_taken && retry && retry->attempt < kMaxAttempts) {
            auto again = [this, request = retry->request, caller = retry->caller, reply, attempt = retry->attempt + 1]() mutable {
                serve(request, caller, std::move(reply), attempt);
            };
            return dispatch(retry->request->body().size(), std::move(again));
        }
        if (commit.duplicate && retry) {
            std::optional<MessageRow> stored;
            try {
                stored = store_.find_message(retry->event.party_oin, retry->event.bericht_id);
            } catch (const StoreError&) {  // answered as not stored, below
            }
            if (stored) {
                retry->reply = reply;
                known_message(*retry, *stored, retry->content_hash);
                return this->commit(*retry);
            }
        }
        Response out = commit.ok ? std::move(*shared) : not_stored(commit);
        if (commit.ok && !commit.receipt.empty()) {  // the receipt as sealed in the commit
            out.body() = commit.receipt;
            out.prepare_payload();
        }
        if (commit.busy) metrics.busy_refusal();
        else if (!commit.ok) metrics.store_error();
        else metrics.audit_appended(1);
        metrics.request(route, static_cast<int>(out.result_int()), std::chrono::duration<double>(Clock::now() - started).count());
        reply(std::move(out));
    };
    if (a.bulk)
        return a.bulk->finish(status == 202, std::move(a.writes.audit_entries), std::move(a.writes.message),
                              [done = std::move(done)](const CommitResult& c) mutable {
                                  done(c);
                                  memory::mark_large_message_done();
                              });
    store_.submit(std::move(a.writes), std::move(done));
}

}  // namespace dg
