#pragma once
// Request handling: route -> handler. Handlers are plain functions of the request, the caller
// and the current snapshot; the only I/O is the store, reached through RecordStore. Every request,
// allowed or refused, writes an audit entry, and no answer leaves before that entry is durable.
#include <boost/beast/http.hpp>

#include <functional>
#include <map>
#include <string>

#include "api/rate_limiter.hpp"
#include "api/responses.hpp"
#include "api/snapshot.hpp"
#include "audit/audit_entry.hpp"
#include "audit/signer.hpp"
#include "core/json_util.hpp"
#include "core/metrics.hpp"
#include "store/record_store.hpp"

namespace dg {

using Request = http::request<http::string_body>;

// Who is on the other end of the connection, as its verified certificate says.
struct Caller {
    std::string oin;          // empty when the certificate carries no valid OIN
    std::string fingerprint;  // SHA-256 of the certificate
};

using Reply = std::function<void(Response&&)>;

// A file of the web UI, held in memory (the UI is a handful of small static files).
struct UiFile {
    std::string content_type, body;
};

struct ApiOptions {
    std::string openapi_json;                       // served at /openapi.json
    std::map<std::string, UiFile, std::less<>> ui;  // served at /ui/<name>; "index.html" at /ui/
    ParseLimits limits;
    ReportLimits report;  // how much of what was refused an answer lists
    std::size_t max_page = 500;
    std::size_t bulk_threshold_bytes = 1 << 20;  // larger messages stream into the store
    std::size_t bulk_chunk = 2000;               // records per chunk handed to the writer
    double party_rate = 0, party_burst = 0;      // requests per second and burst per party; 0: no limit
    // Runs request handling (parsing, checks, store reads) off the network threads; by default
    // inline on the caller's thread (tests and fuzz targets without a pool).
    std::function<void(std::function<void()>)> run_work;
    // Requests with a body above heavy_bytes run here instead (if set): a few costly bodies never
    // hold up the small requests of others.
    std::function<void(std::function<void()>)> run_heavy;
    std::size_t heavy_bytes = 64 * 1024;
    std::string peer_id = "doorstroom-gateway";                        // FSC: this service's peer id in /v1/logs (the operator's OIN)
    std::string checkpoint_origin = "doorstroom-gateway.local/audit";  // C2SP checkpoint origin (config audit.origin)
    // The witnesses' cosignature lines for the checkpoint of (size, hex root), if any, and the newest
    // head a witness cosigned (what /v1/audit/checkpoint serves once there is one).
    std::function<std::string(std::uint64_t, const std::string&)> cosignatures;
    std::function<std::optional<std::pair<std::uint64_t, std::string>>()> witnessed_head;
    std::filesystem::path audit_keys_dir;  // the retired signing keys' public keys (audit rotate-key)
};

class Api {
public:
    enum class Handler {
        Berichten,
        Validate,
        Caseload,
        Summary,
        Record,
        Search,
        SubjectReport,
        AuditRead,
        OpenApi,
        Me,
        Ui,
        Logs,
        Register,
        ProcessingActivities,
        Meldingen,
        Rapportage
    };
    struct Route {
        http::verb method;
        std::string path;      // "{id}" at the end matches one path segment
        std::string endpoint;  // of the policy's role table; "public" for any registered party
        std::string metric;    // route label in /metrics
        Handler handler;
    };
    // Every route the server answers: the OpenAPI document is tested against this table.
    static const std::vector<Route>& routes();
    static std::string action_of(const Request& request);

    Api(SnapshotHolder& snapshots, RecordStore& store, Pseudonymizer pseudonymize, HeadSigner signer, Metrics& metrics, ApiOptions options = {});
    // What a handler produced for a request: the response and everything that must be written with
    // it, the request's audit entry last; none of it is written yet.
    struct Answer {
        Response response;                // a 202's receipt is sealed into it by the commit
        WriteBatch writes;                // records, the message, the audit entry
        std::unique_ptr<BulkWrite> bulk;  // a large message's records, streamed but not committed
    };
    // The handlers' answer, judged against the store as it is but not written (what `handle`
    // commits before it replies). A `bulk` in it is the caller's to finish.
    Answer answer(std::shared_ptr<const Request> request, const Caller& caller);
    // Handled on options.run_work; `reply` may run on another thread (the store's); it is called
    // exactly once.
    void handle(std::shared_ptr<const Request> request, const Caller& caller, Reply reply);
    // A request the network layer refused before it was complete (size limits): answered with
    // `status` and audited like any other.
    void refuse(const Request& head, const Caller& caller, int status, Problem problem, Reply reply);
    // Signs and keeps a tree head for the committed log if the latest one is older; blocks until
    // it is stored. Returns the latest head.
    std::optional<SignedHead> publish_head();
    const HeadSigner& signer() const { return signer_; }
    // Whether the OIN is a party of the current registry (the network layer asks before it reads a
    // large body).
    bool registered(std::string_view oin) const;

private:
    struct Exchange;
    Exchange begin(const Request& request, const Caller& caller, Reply reply);
    // `attempt` > 0: judged again because a meldingId of an earlier attempt was stored meanwhile.
    void serve(const std::shared_ptr<const Request>& request, const Caller& caller, Reply reply, int attempt);
    void respond(Exchange& x, const std::shared_ptr<const Request>& request);  // routes, checks, runs the handler: x.answer is set
    void commit(Exchange& x);                                                  // writes x.answer, then replies
    void run(Exchange& x, const Request& req, const Route& route, std::string_view path, std::string_view query);  // the route's handler
    void dispatch(std::size_t body_bytes, std::function<void()> job);
    // Namens: judges the rest of the request as the principal's when a mandate allows it; else
    // answers (400/403) and returns false.
    bool act_for_principal(Exchange& x, const Request& req, const Route& route);
    class StoreSink;
    void berichten(Exchange& x, const Request& req, bool store);
    // Effects that depend on what is stored: whose record an intrekking withdraws or a wijziging
    // changes (and whether the record as changed passes), whether a trajectmelding's record
    // exists. Returns the problems when the record must be refused.
    struct Judging {
        const Snapshot& snapshot;
        WireFormat format;
        Date sent;  // of verzondenOp
    };
    Problems resolve_effect(StoredRecord& record, const Party& sender, const Judging& judging, std::vector<std::string>& subjects);
    void caseload(Exchange& x, std::string_view query);
    void audit_read(Exchange& x, std::string_view path, std::string_view query);
    void summary(Exchange& x);
    void record(Exchange& x, std::string_view id);
    void search(Exchange& x, const Request& req);
    void openapi(Exchange& x);
    void me(Exchange& x);
    void write_mandate(JsonWriter& w, const Mandate& m, const Exchange& x) const;
    void ui(Exchange& x, std::string_view name);
    const Region* own_region(const Exchange& x) const;
    void no_region(Exchange& x);
    // What the caller reads (the policy's "reads" of its role): its region, for a gemeente only its
    // own residents, of the types listed; the read's purpose goes into the audit entry. nullopt:
    // answered already (the role reads no records, or its gemeente is in no region).
    struct ReadScope {
        const Region* region;
        std::string gemeente;  // "" for the whole region
        const ReadPolicy* policy;
    };
    std::optional<ReadScope> read_scope(Exchange& x);
    void store_unavailable(Exchange& x);  // 503: a store read or look-up failed, nothing stored
    // A caseload-style "items" array; each record shown is audited with its pseudonym.
    void write_items(JsonWriter& w, const std::vector<StoredRecord>& records, Exchange& x);
    // {"bsn": …} or {"onderwijsnummer": …} in a request body -> the pupil's pseudonym; answers the
    // request with the problems and returns false when the body is not exactly that.
    bool subject_from_body(Exchange& x, const Request& req, std::string& subject);
    void subject_report(Exchange& x, const Request& req);
    void logs(Exchange& x, std::string_view query);
    void meldingen(Exchange& x, std::string_view query);
    void rapportage(Exchange& x, const Request& req, std::string_view query);
    void processing_register(Exchange& x);
    void processing_activities(Exchange& x, const Request& req);
    // The handler's answer: the response, what it writes, and the request's audit entry, kept in
    // x.answer for commit() (which replies once it is durable).
    void finish(Exchange& x, Response response, WriteBatch batch = {}, std::unique_ptr<BulkWrite> bulk = nullptr);
    // (sender, berichtId) was accepted before: the original receipt for the same content, else 409.
    void known_message(Exchange& x, const MessageRow& stored, const std::string& content_hash);

    SnapshotHolder& snapshots_;
    RecordStore& store_;
    Pseudonymizer pseudonymize_;
    HeadSigner signer_;
    std::mutex head_mu_;
    Metrics& metrics_;
    ApiOptions options_;
    RateLimiter rate_limiter_;
};

// The JSON of a record as coordinators see it (caseload items, /v1/records/{id}, search).
// One record as the API shows it; senderName from the registry.
void write_record(rapidjson::Writer<rapidjson::StringBuffer>& w, const StoredRecord& r, const PartyRegistry& parties);
bool route_matches(std::string_view route_template, std::string_view path);

// Percent-decoded query parameters in order; false when the query is not well-formed.
bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out);

}  // namespace dg
