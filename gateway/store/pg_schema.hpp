#pragma once
// The PostgreSQL store's schema: its migrations (entry i brings version i to i + 1) and how they
// are applied, the role check, the record columns as read_records expects them, the audit log's
// hashes as stored. Private to gateway/store/.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.hpp"
#include "core/log.hpp"
#include "store/pg_util.hpp"
#include "store/record_store.hpp"
#include "store/report_sql.hpp"

namespace dg::pg_store {

using pg::ArrayLiteral;
using pg::Params;

constexpr std::int64_t kMigrationLock = 7310042001;

// Each entry brings the schema from version i to i + 1.
inline const std::vector<const char*> kMigrations = {
    R"sql(
CREATE TABLE records(
  seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE,
  region text NOT NULL, region_name text NOT NULL, gemeente text NOT NULL, berichttype text NOT NULL,
  status text NOT NULL, sender_oin text NOT NULL, bericht_id text NOT NULL, melding_id text NOT NULL,
  subject text NOT NULL, received_at text NOT NULL, legal_basis text NOT NULL, purpose text NOT NULL,
  policy_version text NOT NULL, retention_until text NOT NULL, data text NOT NULL, active boolean NOT NULL);
CREATE INDEX records_caseload ON records(region, active, seq);
CREATE INDEX records_subject ON records(subject, active);
CREATE INDEX records_melding ON records(melding_id);
CREATE INDEX records_retention ON records(retention_until);
CREATE TABLE record_history(seq bigserial PRIMARY KEY, record_id text NOT NULL, region text NOT NULL,
  time text NOT NULL, event text NOT NULL, detail text NOT NULL);
CREATE INDEX record_history_id ON record_history(record_id, seq);
ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY region_scope ON records USING (current_setting('dg.region', true) IN ('*', region))
  WITH CHECK (current_setting('dg.region', true) = '*');
ALTER TABLE record_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_history FORCE ROW LEVEL SECURITY;
CREATE POLICY region_scope ON record_history USING (current_setting('dg.region', true) IN ('*', region))
  WITH CHECK (current_setting('dg.region', true) = '*');
CREATE TABLE messages(sender_oin text NOT NULL, bericht_id text NOT NULL, content_hash text NOT NULL,
  receipt text NOT NULL, received_at text NOT NULL, PRIMARY KEY(sender_oin, bericht_id));
CREATE TABLE audit(seq bigint PRIMARY KEY, entry text NOT NULL, leaf_hash bytea NOT NULL);
CREATE TABLE audit_nodes(level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY(level, idx));
CREATE TABLE audit_heads(size bigint PRIMARY KEY, root text NOT NULL, time text NOT NULL, signature text NOT NULL,
  key_id text NOT NULL);
CREATE TABLE audit_state(id integer PRIMARY KEY CHECK (id = 1), size bigint NOT NULL);
INSERT INTO audit_state(id, size) VALUES (1, 0);
)sql",
    // 2: a meldingId is unique per sender, across all its messages.
    R"sql(
SET LOCAL dg.region = '*';
CREATE TABLE melding_ids(sender_oin text NOT NULL, melding_id text NOT NULL, PRIMARY KEY(sender_oin, melding_id));
INSERT INTO melding_ids SELECT DISTINCT sender_oin, melding_id FROM records ON CONFLICT DO NOTHING;
)sql",
    // 3: a record that moves to another region leaves a notice under its id in the old one: ids are
    // unique per region.
    R"sql(
ALTER TABLE records DROP CONSTRAINT records_id_key;
CREATE UNIQUE INDEX records_region_id ON records(region, id);
CREATE INDEX records_id ON records(id);
)sql",
    // 4: a gemeente reads its own residents: row-level security narrows a region to one gemeente.
    R"sql(
DROP POLICY region_scope ON records;
CREATE POLICY region_scope ON records
  USING (current_setting('dg.region', true) IN ('*', region) AND coalesce(current_setting('dg.gemeente', true), '') IN ('', gemeente))
  WITH CHECK (current_setting('dg.region', true) = '*');
)sql",
    // 5: a record sent by an intermediary for its principal (Namens) keeps the intermediary's OIN.
    R"sql(
ALTER TABLE records ADD COLUMN intermediary_oin text NOT NULL DEFAULT '';
)sql",
    // 6: a sender reads back what it sent (GET /v1/meldingen).
    R"sql(
CREATE INDEX records_sender ON records(sender_oin, received_at, id);
)sql",
    // 7: the rapportage reads a region's records of a period.
    R"sql(
CREATE INDEX records_report ON records(region, received_at);
)sql",
    // 8: audit retention: closed periods, and where the removed prefix of the log ends.
    R"sql(
CREATE TABLE audit_periods(size bigint PRIMARY KEY, closed_at text NOT NULL);
ALTER TABLE audit_state ADD COLUMN removed bigint NOT NULL DEFAULT 0;
)sql",
    // 9: the rapportage's counts per day. Each statement on records adds its changes to
    // report_deltas (insert-only: gateways sharing the database never wait on each other's
    // counters); the upkeep folds them into report_counts. dg_report_detail() is the policy's
    // reportBy, written at open (report_setup says for which details).
    R"sql(
CREATE TABLE report_counts(region text NOT NULL, day text NOT NULL, gemeente text NOT NULL, berichttype text NOT NULL,
  status text NOT NULL, active boolean NOT NULL, detail text NOT NULL, n bigint NOT NULL,
  PRIMARY KEY(region, day, gemeente, berichttype, status, active, detail));
CREATE TABLE report_deltas(region text NOT NULL, day text NOT NULL, gemeente text NOT NULL, berichttype text NOT NULL,
  status text NOT NULL, active boolean NOT NULL, detail text NOT NULL, n bigint NOT NULL);
CREATE INDEX report_deltas_day ON report_deltas(region, day);
CREATE TABLE report_setup(id integer PRIMARY KEY CHECK (id = 1), details text NOT NULL);
ALTER TABLE report_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY region_scope ON report_counts
  USING (current_setting('dg.region', true) IN ('*', region) AND coalesce(current_setting('dg.gemeente', true), '') IN ('', gemeente))
  WITH CHECK (current_setting('dg.region', true) = '*');
ALTER TABLE report_deltas ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_deltas FORCE ROW LEVEL SECURITY;
CREATE POLICY region_scope ON report_deltas
  USING (current_setting('dg.region', true) IN ('*', region) AND coalesce(current_setting('dg.gemeente', true), '') IN ('', gemeente))
  WITH CHECK (current_setting('dg.region', true) = '*');
CREATE FUNCTION dg_report_detail(berichttype text, data text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT ''::text $$;
CREATE FUNCTION dg_report_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_deltas SELECT region, left(received_at, 10), gemeente, berichttype, status, active,
      dg_report_detail(berichttype, data), count(*) FROM new_rows WHERE active OR data <> 'null' GROUP BY 1, 2, 3, 4, 5, 6, 7;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_deltas SELECT region, left(received_at, 10), gemeente, berichttype, status, active,
      dg_report_detail(berichttype, data), -count(*) FROM old_rows WHERE active OR data <> 'null' GROUP BY 1, 2, 3, 4, 5, 6, 7;
  ELSE
    INSERT INTO report_deltas SELECT region, day, gemeente, berichttype, status, active, detail, sum(n) FROM (
      SELECT region, left(received_at, 10) AS day, gemeente, berichttype, status, active, dg_report_detail(berichttype, data) AS detail, -1 AS n
        FROM old_rows WHERE active OR data <> 'null'
      UNION ALL
      SELECT region, left(received_at, 10), gemeente, berichttype, status, active, dg_report_detail(berichttype, data), 1
        FROM new_rows WHERE active OR data <> 'null') c
      GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER report_insert AFTER INSERT ON records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dg_report_changes();
CREATE TRIGGER report_delete AFTER DELETE ON records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dg_report_changes();
CREATE TRIGGER report_update AFTER UPDATE ON records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dg_report_changes();
)sql",
};

constexpr std::int64_t kReportLock = 7310042002;  // the counts' rebuild and upkeep, one gateway at a time

// dg_report_detail() for these details: the value of the record's reportBy field (a string; ''
// without one), as report_sql::detail_of() says.
inline std::string report_detail_function(const ReportDetails& details) {
    std::string body = "''::text";
    if (!details.empty()) {
        body = "CASE";
        for (const auto& [type, path] : details) {
            std::string keys = "ARRAY[";
            for (std::size_t at = 0; at <= path.size();) {
                const std::size_t end = std::min(path.find('/', at), path.size());
                if (at) keys += ',';
                keys += report_sql::literal(path.substr(at, end - at));
                at = end + 1;
            }
            keys += "]::text[]";
            body += " WHEN berichttype = " + report_sql::literal(type) + " THEN CASE WHEN jsonb_typeof(data::jsonb #> " + keys +
                    ") = 'string' THEN data::jsonb #>> " + keys + " ELSE '' END";
        }
        body += " ELSE '' END";
    }
    if (body.find('$') != std::string::npos) throw std::runtime_error("a reportBy field or berichttype holds a '$'");
    return "CREATE OR REPLACE FUNCTION dg_report_detail(berichttype text, data text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT " + body +
           " $$";
}

constexpr const char* kColumns =
    "seq, id, region, region_name, gemeente, berichttype, status, sender_oin, bericht_id, melding_id,"
    " subject, received_at, legal_basis, purpose, policy_version, retention_until, data, active, intermediary_oin";

inline std::vector<StoredRecord> read_records(const pg::Result& r) {
    std::vector<StoredRecord> out(static_cast<std::size_t>(r.rows()));
    for (int row = 0; row < r.rows(); ++row) {
        StoredRecord& rec = out[static_cast<std::size_t>(row)];
        rec.seq = r.i64(row, 0);
        std::string* cols[] = {&rec.id,         &rec.region,         &rec.region_name,     &rec.gemeente, &rec.berichttype, &rec.status,
                               &rec.sender_oin, &rec.bericht_id,     &rec.melding_id,      &rec.subject,  &rec.received_at, &rec.legal_basis,
                               &rec.purpose,    &rec.policy_version, &rec.retention_until, &rec.data};
        for (int i = 0; i < 16; ++i) *cols[i] = r.str(row, i + 1);
        rec.active = r.boolean(row, 17);
        rec.intermediary_oin = r.str(row, 18);
    }
    return out;
}

inline merkle::Hash hash_from_hex(std::string_view hex) {
    merkle::Hash h{};
    if (!merkle::from_hex(hex, h)) throw StoreError("audit log: a stored hash is not 32 bytes");
    return h;
}

inline void check_role(pg::Conn& c) {
    const auto r = c.query("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user");
    if (r.rows() == 1 && r.boolean(0, 0))
        throw std::runtime_error(
            "the PostgreSQL role bypasses row-level security (superuser or BYPASSRLS), so region separation "
            "could not be enforced by the database; connect as a role without them");
}

inline int schema_version(pg::Conn& c) {
    if (!c.query("SELECT to_regclass('dg_schema') IS NOT NULL").boolean(0, 0)) return 0;
    return static_cast<int>(c.query("SELECT COALESCE(MAX(version), 0) FROM dg_schema").i64(0, 0));
}

inline void check_schema(pg::Conn& c) {
    if (static_cast<std::size_t>(schema_version(c)) != kMigrations.size())
        throw std::runtime_error("the PostgreSQL database holds no gateway store of this version");
}

// Creates or upgrades the schema; several gateways starting at once take turns.
inline void migrate(pg::Conn& c) {
    c.query("SELECT pg_advisory_lock($1)", Params().add(kMigrationLock));
    try {
        c.exec("CREATE TABLE IF NOT EXISTS dg_schema(version integer NOT NULL)");
        const int version = schema_version(c);
        if (static_cast<std::size_t>(version) > kMigrations.size())
            throw std::runtime_error("the PostgreSQL store has schema version " + std::to_string(version) + ", newer than this gateway knows");
        for (std::size_t v = static_cast<std::size_t>(version); v < kMigrations.size(); ++v) {
            c.exec("BEGIN");
            c.exec(kMigrations[v]);
            c.query("INSERT INTO dg_schema(version) VALUES ($1)", Params().add(static_cast<std::int64_t>(v + 1)));
            c.exec("COMMIT");
            log_info("PostgreSQL store schema migrated", {{"version", std::to_string(v + 1)}});
        }
    } catch (...) {
        if (PQtransactionStatus(c.get()) != PQTRANS_IDLE) PQclear(PQexec(c.get(), "ROLLBACK"));
        PQclear(PQexec(c.get(), "SELECT pg_advisory_unlock_all()"));
        throw;
    }
    c.query("SELECT pg_advisory_unlock($1)", Params().add(kMigrationLock));
}

}  // namespace dg::pg_store
