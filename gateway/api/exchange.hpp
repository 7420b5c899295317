#pragma once
// One request on its way through Api: what the handlers fill in and finish() audits. Private to
// the api/ sources.
#include <chrono>

#include "api/api.hpp"

namespace dg {

using Clock = std::chrono::steady_clock;

// Query parameters shared by the list endpoints. Each returns false when the value is not valid.
bool query_since(const std::string& v, std::string& since);                   // a date or a UTC timestamp -> a UTC timestamp
bool query_limit(const std::string& v, std::size_t max, std::size_t& limit);  // 1..max
bool query_status(const std::string& v);                                      // a status a record can have
// The filters the list endpoints share: `status` and `since` go into status/since (a problem into
// `bad` when not valid); false for any other key.
bool status_or_since(const std::string& k, const std::string& v, std::string& status, std::string& since, Problems& bad);
bool lower_hex(std::string_view s);  // only 0-9 and a-f

struct Api::Exchange {
    Clock::time_point started = Clock::now();
    std::string route;
    std::shared_ptr<const Snapshot> snapshot;
    const Party* party = nullptr;         // whom the request is judged as: the caller, or its principal (Namens)
    const Party* intermediary = nullptr;  // the caller when it acts for `party` under `mandate`
    const Mandate* mandate = nullptr;
    AuditEvent event;
    Reply reply;
    std::string content_hash;                // berichten: SHA-256 of the canonical message, for idempotency
    std::shared_ptr<const Request> request;  // to judge it again (a meldingId was taken meanwhile)
    Caller caller;
    int attempt = 0;
    bool bad_transaction_id = false;  // Fsc-Transaction-Id present but not a UUIDv7: 400
    bool answered = false;            // finish() ran: x.answer holds the answer
    std::optional<Answer> answer;     // what commit() writes and sends
    std::shared_ptr<Exchange> retry;  // a message's request without its lists, to judge it again after a lost race

    // The (UTC) day the request arrived: what mandates are judged on.
    Date day() const { return parse_rfc3339_local_date(event.time).value_or(today_utc()); }

    // The same request without its (possibly large) record lists, to audit a second outcome
    // (the lists are set aside while the rest is copied, not copied and dropped).
    Exchange header() {
        Exchange h;
        h.started = started;
        h.route = route;
        h.snapshot = snapshot;
        h.party = party;
        h.intermediary = intermediary;
        h.mandate = mandate;
        h.content_hash = content_hash;
        h.request = request;
        h.caller = caller;
        h.attempt = attempt;
        h.bad_transaction_id = bad_transaction_id;
        std::vector<std::string> ids = std::move(event.record_ids), subjects = std::move(event.subjects), codes = std::move(event.problem_codes);
        event.record_ids.clear();
        event.subjects.clear();
        event.problem_codes.clear();
        h.event = event;
        h.event.outcome.clear();
        event.record_ids = std::move(ids);
        event.subjects = std::move(subjects);
        event.problem_codes = std::move(codes);
        return h;
    }
};

}  // namespace dg
