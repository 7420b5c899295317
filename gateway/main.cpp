// doorstroom-gateway: the command line. `serve` runs the gateway; the other commands are
// offline tools for senders and operators.
#include <malloc.h>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "api/explain.hpp"
#include "api/ingest.hpp"
#include "api/responses.hpp"
#include "app/audit_verify.hpp"
#include "app/purge.hpp"
#include "app/region_export.hpp"
#include "app/service.hpp"
#include "app/witness.hpp"
#include "audit/keyring.hpp"
#include "core/dates.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "store/record_store.hpp"

#ifndef DG_VERSION
#define DG_VERSION "0.1.0"
#endif

namespace {

constexpr const char* kUsage = R"(doorstroom-gateway — verzuim and vsv data gateway for the Dutch education chain

usage: doorstroom-gateway COMMAND [OPTIONS]

commands:
  serve       run the gateway (mutual TLS HTTPS API + admin listener)
  validate    check message files offline against the catalogue and policy
  policy explain --as PARTY [--namens PARTY] FILE
              show, per record, every policy rule applied and its outcome
  audit verify
              check the whole audit log and its signed tree heads (exit 0 / 1 with the first bad index)
  audit rotate-key
              retire the audit signing key and sign with a new one from now on (gateway stopped)
  purge       delete what the policy's retention says has expired (also runs hourly in serve)
  witness serve --key FILE --state DIR --listen HOST:PORT --log-key FILE… [--name NAME]
              an independent C2SP tlog-witness of the audit log (plain HTTP POST /add-checkpoint)
  regions import FILE
              import DUO's school-location CSV as the region table (versioned, in the data dir)
  regions export CODE FILE
              one region's records and history as a new SQLite file (to hand a region over)
  --version   print the version
  --help      this text; COMMAND --help for a command's options
)";

constexpr const char* kServeUsage = R"(usage: doorstroom-gateway serve [OPTIONS]

  --config FILE          configuration file (default gateway/config/dev.json)
  --listen HOST:PORT     HTTPS listener (default from config, 127.0.0.1:8443)
  --admin-listen H:P     admin listener: /healthz /readyz /metrics (default 127.0.0.1:9090)
  --data-dir DIR         where the store and keys live (default var/)
  --store URL            sqlite:DIR (default: sqlite under the data dir, one file:
                         store.db) or postgresql://USER@HOST/DB (several gateways may share it)

SIGTERM/SIGINT drain and exit 0; SIGHUP reloads policies, parties, mandates and regions.
)";

constexpr const char* kWitnessUsage =
    R"(usage: doorstroom-gateway witness serve --key FILE --state DIR --listen HOST:PORT --log-key FILE... [--name NAME]

An independent witness of the gateway's audit log (C2SP tlog-witness), meant to run at another
organisation: POST /add-checkpoint cosigns (C2SP tlog-cosignature, Ed25519) a checkpoint signed by
a log key it trusts, only when it is consistent with the last one it cosigned for that origin;
that state is kept in DIR, durably, before it answers.

  --key FILE       its Ed25519 private key (PEM); created when absent, public key written to FILE.pub
  --state DIR      the last checkpoint cosigned per origin
  --listen H:P     plain-HTTP listener
  --log-key FILE   a log's public key (PEM, as GET /v1/audit/keys lists it); repeat for several
  --name NAME      its key name in cosignature lines (default witness.local)

Answers: 200 cosignature line; 400 malformed; 403 not signed by a trusted log key; 409 the old size
is not the one it cosigned last (the body names it), or another root at that size (a fork); 422 the
consistency proof does not verify.
)";

constexpr const char* kValidateUsage = R"(usage: doorstroom-gateway validate [--json] [--config FILE] FILE...

Checks each message file (JSON or XML, by content) against the catalogue and the sharing policy,
without a sender (scope rules need the sender and are checked by the server). Prints every
problem; exit 0 when all files are valid, 1 otherwise, 2 on usage errors.
)";

constexpr const char* kExplainUsage =
    R"(usage: doorstroom-gateway policy explain --as PARTY [--namens PARTY] [--today YYYY-MM-DD] [--config FILE] FILE

Shows, for each record of the message FILE (JSON or XML), every rule of the sharing policy that
applied when PARTY (a registry name such as school-12AB, or an OIN) sends it, and the outcome:
role, legal basis, purpose, fields, identifier, dates, age bound, thresholds, scope, routing,
retention. With --namens, PARTY is an intermediary sending for that principal (HTTP header
Namens): first its mandate in force today (or on --today) and what it covers, then every rule
as the principal.
Exit 0 when every record would be accepted, 1 otherwise.
)";

constexpr const char* kAuditUsage = R"(usage: doorstroom-gateway audit verify [--config FILE] [--data-dir DIR] [--store URL] [--public-key PEM]...
       doorstroom-gateway audit rotate-key [--config FILE] [--data-dir DIR] [--store URL]

verify: recomputes every leaf hash from the stored entries and every stored subtree (RFC 9162), and
checks each signed tree head: its Ed25519 signature with the key it names (the data dir's keys,
current and retired; or only the --public-key files given, as published at /v1/audit/keys) and
that the entries give its root. Exit 0 when all holds; otherwise exit 1 naming the first bad index
and why (edited, deleted, reordered, truncated, forged, signed with a key not trusted). --store
reads another store than the config's (sqlite:DIR or a postgresql:// URL); the log is opened
read-only.

rotate-key: with the gateway stopped (every gateway, when several share a database): the current
key signs a last head, the rotation is an audit entry naming the new key, the old key is retired
(its public key kept with its validity in audit-keys/ beside the signing key) and the new one
signs from now on. Old heads and receipts keep verifying with the key they name. Copy the signing
key and audit-keys/ to every gateway that shares the store.
)";

constexpr const char* kPurgeUsage = R"(usage: doorstroom-gateway purge [--config FILE] [--data-dir DIR] [--store URL] [--today YYYY-MM-DD]

Deletes every record whose retention period has ended (set per berichttype by the policy when the
record was stored; tombstones of withdrawn records included), with their history. Each batch of
deletions is an audit entry (action "purge"). Then the audit log's own retention: the open period
closes when its first entry is from an earlier year (entry "period-close", a head signed at its
size), and periods closed longer ago than the policy's auditRetention are removed (entry
"audit-purge"); what remains still verifies. --today pretends another date, 00:00 UTC (for tests
and previews). The serving gateway does the same every hour. With the embedded store, stop the
gateway first.
)";

constexpr const char* kRegionsUsage = R"(usage: doorstroom-gateway regions import [--config FILE] [--data-dir DIR] FILE
       doorstroom-gateway regions export [--config FILE] [--data-dir DIR] [--store URL] CODE FILE

Reads DUO's school-location CSV layout (columns GEMEENTENUMMER, RMC-REGIO CODE, RMC-REGIO NAAM;
';' or ',' separated; other columns are ignored) and makes it the region table: it is kept as
DATA_DIR/regions/<version>.csv and DATA_DIR/regions/current names the version in force (earlier
versions stay). A gemeente listed in two regions is a conflict: they are reported and nothing is
imported (exit 1). A running gateway takes the new table on SIGHUP.

export writes every record of region CODE (active ones, tombstones and the notices a move left)
with its history into FILE, a new SQLite file (tables region_export, records, record_history, with
the store's column names): a region handed over as one file, from either store. It holds the
records' content, BSN included, as the store does: FILE is created mode 0600; hand it over as
personal data. FILE must not exist; it appears only once complete. With the embedded store, stop
the gateway first.
)";

dg::WireFormat sniff_format(const std::string& body) {
    const auto first = body.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    return first != std::string::npos && body[first] == '<' ? dg::WireFormat::Xml : dg::WireFormat::Json;
}

struct Args {
    std::vector<std::string> rest;
    std::string value(const std::string& flag, std::size_t& i, const std::vector<std::string>& a) {
        if (i + 1 >= a.size()) throw std::runtime_error(flag + " needs a value");
        return a[++i];
    }
};

dg::Config config_from(const std::string& config_file, const char* argv0) {
    return dg::load_config(config_file.empty() ? dg::default_config_path(argv0) : std::filesystem::path(config_file));
}

int serve(const std::vector<std::string>& a, const char* argv0) {
    std::string config_file, listen, admin, data_dir, store;
    Args args;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kServeUsage;
            return 0;
        } else if (a[i] == "--config") config_file = args.value(a[i], i, a);
        else if (a[i] == "--listen") listen = args.value(a[i], i, a);
        else if (a[i] == "--admin-listen") admin = args.value(a[i], i, a);
        else if (a[i] == "--data-dir") data_dir = args.value(a[i], i, a);
        else if (a[i] == "--store") store = args.value(a[i], i, a);
        else throw std::runtime_error("serve: unknown option " + a[i]);
    }
    dg::Config c = config_from(config_file, argv0);
    if (!listen.empty()) c.listen = listen;
    if (!admin.empty()) c.admin_listen = admin;
    if (!data_dir.empty()) c.data_dir = std::filesystem::absolute(data_dir);
    if (!store.empty()) c.store = store;
    dg::Service service(std::move(c));
    service.handle_signals();
    service.start();
    service.wait();
    return 0;
}

int validate(const std::vector<std::string>& a, const char* argv0) {
    bool json = false;
    std::string config_file;
    std::vector<std::string> files;
    Args args;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kValidateUsage;
            return 0;
        } else if (a[i] == "--json") json = true;
        else if (a[i] == "--config") config_file = args.value(a[i], i, a);
        else if (a[i].rfind("--", 0) == 0) throw std::runtime_error("validate: unknown option " + a[i]);
        else files.push_back(a[i]);
    }
    if (files.empty()) {
        std::cerr << kValidateUsage;
        return 2;
    }
    const dg::Config c = config_from(config_file, argv0);
    const auto snapshot = dg::load_snapshot(c);
    // Offline: pseudonyms are not shown, so a throw-away key is fine.
    const dg::Pseudonymizer pseudonymize(std::string(64, 'v'));
    bool all_valid = true;
    rapidjson::StringBuffer buf;
    dg::JsonWriter w(buf);
    w.StartArray();
    for (const auto& f : files) {
        std::string body = dg::read_file(f);
        const auto format = sniff_format(body);
        // Offline the file is the operator's own: every problem is printed (interface.md), unbounded.
        const dg::ReportLimits everything{SIZE_MAX, SIZE_MAX, SIZE_MAX / 2};
        const std::string now = dg::now_rfc3339_utc();
        dg::IngestContext ctx{*snapshot, pseudonymize, c.parse, nullptr, now,
                              nullptr,   everything,   false,   nullptr, *dg::parse_rfc3339_local_date(now)};
        const dg::IngestResult r = dg::ingest(body, format, ctx);
        dg::Problems all = r.message_problems;
        for (const auto& rej : r.rejected) all.insert(all.end(), rej.problems.begin(), rej.problems.end());
        all_valid = all_valid && all.empty();
        if (json) {
            w.StartObject();
            dg::write_kv(w, "file", f);
            dg::write_string(w, "valid");
            w.Bool(all.empty());
            dg::write_string(w, "records");
            w.Uint64(r.records_seen);
            dg::write_string(w, "errors");
            const std::string p = dg::problems_json(all);
            w.RawValue(p.data(), p.size(), rapidjson::kArrayType);
            w.EndObject();
        } else {
            std::cout << f << ": " << (all.empty() ? "valid" : "INVALID") << " (" << r.records_seen << " meldingen, " << r.accepted.size()
                      << " valid)\n";
            for (const auto& p : all)
                std::cout << "  " << p.code << "  " << (p.path.empty() ? "/" : p.path) << (p.melding_id.empty() ? "" : "  [" + p.melding_id + "]")
                          << "  " << p.detail << "\n";
        }
    }
    w.EndArray();
    if (json) std::cout << buf.GetString() << "\n";
    return all_valid ? 0 : 1;
}

// audit rotate-key (the gateway stopped): the current key signs a last head over the log as it is;
// the rotation — naming the next key — is an audit entry; the key is retired and the next one
// takes over, and signs the first head of its period, which covers that entry.
int rotate_key(const dg::Config& c) {
    const auto snapshot = dg::load_snapshot(c);
    auto store = dg::open_store(dg::store_url(c));  // SQLite: refused while a gateway runs on it
    auto commit = [&](dg::WriteBatch b) {
        const auto r = dg::commit_and_wait(*store, std::move(b));
        if (!r.ok) throw std::runtime_error("audit rotate-key: the store did not commit: " + r.error);
    };
    const auto key_file = dg::key_path(c, c.signing_key_file);
    const dg::HeadSigner old = dg::HeadSigner::from_key_file(key_file);
    const dg::HeadSigner prepared = dg::HeadSigner::from_key_file(dg::next_key_file(key_file));
    const std::string now = dg::now_rfc3339_utc();
    dg::WriteBatch closing;
    closing.head = dg::sign_tree_head(store->audit(), old, now);
    commit(std::move(closing));
    dg::AuditEvent e = dg::system_event(*snapshot->policy, "beheer", "key-rotation", true);
    e.attributes = {{"previousKeyId", old.key_id()}, {"keyId", prepared.key_id()}, {"validFrom", now}, {"publicKey", prepared.public_key_pem()}};
    dg::WriteBatch entry;
    entry.audit_entries.push_back(dg::canonical_json(std::move(e)));
    commit(std::move(entry));
    const dg::HeadSigner next = dg::rotate_signing_key(old, key_file, dg::audit_keys_dir(c), now);
    dg::WriteBatch opening;
    opening.head = dg::sign_tree_head(store->audit(), next, dg::now_rfc3339_utc());
    commit(std::move(opening));
    store->close();
    std::cout << "audit signing key rotated: " << old.key_id() << " (valid until " << now << ") -> " << next.key_id() << "\n";
    return 0;
}

int audit(const std::vector<std::string>& a, const char* argv0) {
    if (a.empty() || a[0] == "--help" || a[0] == "-h") {
        std::cout << kAuditUsage;
        return a.empty() ? 2 : 0;
    }
    if (a[0] != "verify" && a[0] != "rotate-key")
        throw std::runtime_error("audit: unknown subcommand " + a[0] + " (use: audit verify, audit rotate-key)");
    std::string config_file, data_dir, store;
    std::vector<std::string> public_keys;
    Args args;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kAuditUsage;
            return 0;
        } else if (a[i] == "--config") config_file = args.value(a[i], i, a);
        else if (a[i] == "--data-dir") data_dir = args.value(a[i], i, a);
        else if (a[i] == "--store") store = args.value(a[i], i, a);
        else if (a[i] == "--public-key" && a[0] == "verify") public_keys.push_back(args.value(a[i], i, a));
        else throw std::runtime_error("audit " + a[0] + ": unknown option " + a[i]);
    }
    dg::Config c = config_from(config_file, argv0);
    if (!data_dir.empty()) c.data_dir = std::filesystem::absolute(data_dir);
    if (!store.empty()) c.store = store;
    if (a[0] == "rotate-key") return rotate_key(c);
    // The keys trusted: those given (and nothing from the data dir), else every key the data dir
    // knows (the current one and the retired ones).
    std::map<std::string, std::string> keys;
    for (const auto& file : public_keys) {
        const std::string pem = dg::read_file(file);
        const auto id = dg::key_id_of_pem(pem);
        if (!id) throw dg::FileError(file, "", "not a PEM public key");
        keys[*id] = pem;
    }
    if (public_keys.empty())
        for (const auto& k : dg::published_keys(dg::HeadSigner::from_key_file(dg::key_path(c, c.signing_key_file)), dg::audit_keys_dir(c)))
            keys[k.key_id] = k.public_pem;
    dg::StoreOptions read_only;
    read_only.read_only = true;
    const auto log = dg::open_store(dg::store_url(c), read_only);
    const auto r = dg::verify_audit_log(log->audit(), keys);
    if (r.ok) {
        std::cout << "audit log OK: " << r.entries << " entries, " << r.heads << " signed tree heads and " << r.receipts << " receipts verified with "
                  << keys.size() << (keys.size() == 1 ? " key" : " keys");
        if (r.removed > 0) std::cout << "; the " << r.removed << " entries before them were removed at the end of their retention";
        std::cout << "\n";
        return 0;
    }
    std::cout << "audit log FAILED at index " << *r.first_bad_index << ": " << r.reason << "\n";
    return 1;
}

int witness(const std::vector<std::string>& a) {
    if (a.empty() || a[0] == "--help" || a[0] == "-h") {
        std::cout << kWitnessUsage;
        return a.empty() ? 2 : 0;
    }
    if (a[0] != "serve") throw std::runtime_error("witness: unknown subcommand " + a[0] + " (use: witness serve)");
    dg::WitnessOptions o;
    Args args;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kWitnessUsage;
            return 0;
        } else if (a[i] == "--key") o.key_file = args.value(a[i], i, a);
        else if (a[i] == "--state") o.state_dir = args.value(a[i], i, a);
        else if (a[i] == "--listen") o.listen = args.value(a[i], i, a);
        else if (a[i] == "--log-key") o.log_keys.emplace_back(args.value(a[i], i, a));
        else if (a[i] == "--name") o.name = args.value(a[i], i, a);
        else throw std::runtime_error("witness serve: unknown option " + a[i]);
    }
    if (o.key_file.empty() || o.state_dir.empty() || o.listen.empty())
        throw std::runtime_error("witness serve needs --key FILE, --state DIR and --listen HOST:PORT");
    if (o.name.empty() || o.name.find_first_of(" \n\t+") != std::string::npos)
        throw std::runtime_error("witness serve: --name is one word without '+'");
    return dg::run_witness(o);
}

int purge(const std::vector<std::string>& a, const char* argv0) {
    std::string config_file, data_dir, today, store_arg;
    Args args;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kPurgeUsage;
            return 0;
        } else if (a[i] == "--config") config_file = args.value(a[i], i, a);
        else if (a[i] == "--data-dir") data_dir = args.value(a[i], i, a);
        else if (a[i] == "--store") store_arg = args.value(a[i], i, a);
        else if (a[i] == "--today") today = args.value(a[i], i, a);
        else throw std::runtime_error("purge: unknown option " + a[i]);
    }
    dg::Config c = config_from(config_file, argv0);
    if (!data_dir.empty()) c.data_dir = std::filesystem::absolute(data_dir);
    if (!store_arg.empty()) c.store = store_arg;
    const auto date = today.empty() ? std::optional<dg::Date>(dg::today_utc()) : dg::parse_date(today);
    if (!date) throw std::runtime_error("purge: --today must be a date YYYY-MM-DD");
    const auto snapshot = dg::load_snapshot(c);
    auto store = dg::open_store(dg::store_url(c));
    const auto r = dg::purge_expired(*store, *snapshot->policy, *date);
    // The audit log's own retention, at the start of that day when it is pretended.
    const std::string now = today.empty() ? dg::now_rfc3339_utc() : date->iso() + "T00:00:00.000Z";
    const auto kept =
        r.ok ? dg::keep_audit_retention(*store, *snapshot->policy, dg::HeadSigner::from_key_file(dg::key_path(c, c.signing_key_file)), now)
             : dg::AuditRetentionResult{};
    store->close();
    std::cout << "purged " << r.purged << " records whose retention ended before " << date->iso() << "\n";
    if (!r.ok) throw std::runtime_error("purge: " + r.error);
    std::cout << "audit log: " << (kept.closed ? "a period closed, " : "") << kept.removed << " entries removed";
    if (kept.removed_before > 0) std::cout << " (the log now begins at index " << kept.removed_before << ")";
    std::cout << "\n";
    if (!kept.ok) throw std::runtime_error("purge: audit retention: " + kept.error);
    return 0;
}

int regions(const std::vector<std::string>& a, const char* argv0) {
    if (a.empty() || a[0] == "--help" || a[0] == "-h") {
        std::cout << kRegionsUsage;
        return a.empty() ? 2 : 0;
    }
    if (a[0] != "import" && a[0] != "export") throw std::runtime_error("regions: unknown subcommand " + a[0] + " (use: regions import|export)");
    const bool exporting = a[0] == "export";
    std::string config_file, data_dir, store_arg;
    std::vector<std::string> operands;
    Args args;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kRegionsUsage;
            return 0;
        } else if (a[i] == "--config") config_file = args.value(a[i], i, a);
        else if (a[i] == "--data-dir") data_dir = args.value(a[i], i, a);
        else if (exporting && a[i] == "--store") store_arg = args.value(a[i], i, a);
        else if (a[i].rfind("--", 0) == 0) throw std::runtime_error("regions " + a[0] + ": unknown option " + a[i]);
        else operands.push_back(a[i]);
    }
    if (operands.size() != (exporting ? 2u : 1u)) {
        std::cerr << kRegionsUsage;
        return 2;
    }
    dg::Config c = config_from(config_file, argv0);
    if (!data_dir.empty()) c.data_dir = std::filesystem::absolute(data_dir);
    if (exporting) {
        if (!store_arg.empty()) c.store = store_arg;
        const std::string& code = operands[0];
        const auto snapshot = dg::load_snapshot(c);
        const auto gemeenten = snapshot->regions->gemeenten_of(code);
        // A region no longer in the table may still have records to hand over: its name is then the stored one.
        const dg::Region* region = gemeenten.empty() ? nullptr : snapshot->regions->region_of(gemeenten.front());
        auto store = dg::open_store(dg::store_url(c));
        const auto r = dg::export_region(*store, code, region ? region->name : std::string(), operands[1], dg::now_rfc3339_utc());
        store->close();
        std::cout << "exported region " << code << ": " << r.records << " records (" << r.active << " active), " << r.history << " history events to "
                  << operands[1] << "\n";
        if (!region && r.records == 0) std::cerr << "note: region " << code << " is not in the region table in force and has no records\n";
        return 0;
    }
    const std::string& file = operands[0];
    const auto result = dg::RegionTable::load(file);
    if (!result.conflicts.empty()) {
        std::cerr << file << ": " << result.conflicts.size() << " conflict(s), nothing imported:\n";
        for (const auto& conflict : result.conflicts) std::cerr << "  " << conflict << "\n";
        return 1;
    }
    const std::string csv = result.table->to_csv();
    const std::string version = dg::RegionTable::parse(csv).table->version();
    const auto dir = c.data_dir / "regions";
    std::filesystem::create_directories(dir);
    const auto target = dir / (version + ".csv");
    { std::ofstream(target.string() + ".tmp", std::ios::binary) << csv; }
    std::filesystem::rename(target.string() + ".tmp", target);
    { std::ofstream(dir / "current.tmp") << version << "\n"; }
    std::filesystem::rename(dir / "current.tmp", dir / "current");
    std::cout << "imported " << result.table->gemeente_count() << " gemeenten in " << result.table->region_count() << " regions as version "
              << version << " (" << target.string() << ")\n";
    return 0;
}

int policy(const std::vector<std::string>& a, const char* argv0) {
    if (a.empty() || a[0] == "--help" || a[0] == "-h") {
        std::cout << kExplainUsage;
        return a.empty() ? 2 : 0;
    }
    if (a[0] != "explain") throw std::runtime_error("policy: unknown subcommand " + a[0] + " (use: policy explain)");
    std::string as, namens, config_file, file;
    dg::Date today = dg::today_utc();
    Args args;
    for (std::size_t i = 1; i < a.size(); ++i) {
        if (a[i] == "--help" || a[i] == "-h") {
            std::cout << kExplainUsage;
            return 0;
        } else if (a[i] == "--as") as = args.value(a[i], i, a);
        else if (a[i] == "--namens") namens = args.value(a[i], i, a);
        else if (a[i] == "--today") {
            const auto d = dg::parse_date(args.value(a[i], i, a));
            if (!d) throw std::runtime_error("policy explain: --today takes a date YYYY-MM-DD");
            today = *d;
        } else if (a[i] == "--config") config_file = args.value(a[i], i, a);
        else if (a[i].rfind("--", 0) == 0) throw std::runtime_error("policy explain: unknown option " + a[i]);
        else if (file.empty()) file = a[i];
        else throw std::runtime_error("policy explain: one FILE at a time");
    }
    if (as.empty() || file.empty()) {
        std::cerr << kExplainUsage;
        return 2;
    }
    const dg::Config c = config_from(config_file, argv0);
    const auto snapshot = dg::load_snapshot(c);
    const dg::Party* party = snapshot->parties->find_by_name(as);
    if (!party) throw std::runtime_error("policy explain: no party '" + as + "' in " + c.parties.string());
    const dg::Party* principal = namens.empty() ? party : snapshot->parties->find_by_name(namens);
    if (!principal) throw std::runtime_error("policy explain: no party '" + namens + "' in " + c.parties.string());
    const std::string body = dg::read_file(file);
    bool ok = false;
    std::cout << dg::explain_bericht(body, sniff_format(body), *snapshot, *principal, ok, namens.empty() ? nullptr : party, today);
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef M_MMAP_THRESHOLD
    // glibc raises its mmap threshold (up to 32 MiB) each time a large mmap'ed block is freed;
    // after the first large batch, the multi-megabyte buffers of the next ones (the body, the
    // receipt, the audit entry) would come from the heap and stay resident there. Fixed at 1 MiB,
    // they are mapped, and unmapped when freed: a 100 000-record batch's peak RSS 201 -> 165 MB.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.empty() || a[0] == "--help" || a[0] == "-h" || a[0] == "help") {
        std::cout << kUsage;
        return a.empty() ? 2 : 0;
    }
    if (a[0] == "--version") {
        std::cout << "doorstroom-gateway " << DG_VERSION << "\n";
        return 0;
    }
    const std::string cmd = a[0];
    a.erase(a.begin());
    try {
        if (cmd == "serve") return serve(a, argv[0]);
        if (cmd == "validate") return validate(a, argv[0]);
        if (cmd == "policy") return policy(a, argv[0]);
        if (cmd == "regions") return regions(a, argv[0]);
        if (cmd == "purge") return purge(a, argv[0]);
        if (cmd == "audit") return audit(a, argv[0]);
        if (cmd == "witness") return witness(a);
        std::cerr << "unknown command '" << cmd << "'\n\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        dg::log_error("cannot continue", {{"command", cmd}, {"reason", e.what()}});
        return cmd == "serve" || cmd == "witness" ? 1 : 2;
    }
}
