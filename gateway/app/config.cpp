#include "app/config.hpp"

#include <unistd.h>

#include "core/json_util.hpp"

namespace dg {
namespace {

std::size_t size_setting(const std::filesystem::path& file, const rapidjson::Value& obj, const char* key, std::size_t fallback) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return fallback;
    if (!it->value.IsUint64() || it->value.GetUint64() == 0) throw FileError(file, std::string("/limits/") + key, "must be a positive integer");
    return static_cast<std::size_t>(it->value.GetUint64());
}

}  // namespace

Config load_config(const std::filesystem::path& file) {
    auto doc = parse_json_file(file);
    const auto base = std::filesystem::absolute(file).parent_path();
    auto path = [&](const std::string& p) { return p.empty() ? std::filesystem::path() : (base / p).lexically_normal(); };
    only_keys(file, doc, "",
              {"listen", "adminListen", "dataDir", "store", "threads", "workers", "tls", "parties", "mandates", "policies", "regions", "schemas",
               "openapi", "ui", "limits", "audit", "peerId"});
    Config c;
    c.file = std::filesystem::absolute(file);
    c.listen = optional_string(doc, "listen", c.listen);
    c.admin_listen = optional_string(doc, "adminListen", c.admin_listen);
    c.data_dir = path(optional_string(doc, "dataDir", "var"));
    c.store = optional_string(doc, "store");
    c.peer_id = optional_string(doc, "peerId", c.peer_id);
    const auto& tls = member(file, doc, "tls", "");
    only_keys(file, tls, "/tls", {"certificate", "privateKey", "clientCa", "crl"});
    c.tls.certificate = path(string_member(file, tls, "certificate", "/tls"));
    c.tls.private_key = path(string_member(file, tls, "privateKey", "/tls"));
    c.tls.client_ca = path(string_member(file, tls, "clientCa", "/tls"));
    c.tls.crl = path(optional_string(tls, "crl"));
    c.parties = path(string_member(file, doc, "parties", ""));
    c.mandates = path(optional_string(doc, "mandates"));  // none: no intermediary acts for anyone
    c.policies = path(string_member(file, doc, "policies", ""));
    c.regions = path(string_member(file, doc, "regions", ""));
    c.schemas = path(optional_string(doc, "schemas", "../../schemas"));
    c.openapi = path(optional_string(doc, "openapi", "../../docs/openapi.json"));
    c.ui = path(optional_string(doc, "ui", "../ui"));
    for (auto [key, target] : {std::pair{"threads", &c.threads}, std::pair{"workers", &c.workers}})
        if (auto t = doc.FindMember(key); t != doc.MemberEnd()) {
            if (!t->value.IsUint()) throw FileError(file, std::string("/") + key, "must be a non-negative integer");
            *target = t->value.GetUint();
        }
    if (auto l = doc.FindMember("limits"); l != doc.MemberEnd()) {
        const auto& v = l->value;
        only_keys(file, v, "/limits",
                  {"headerBytes", "bodyBytes", "handshakeTimeoutMs", "readTimeoutMs", "idleTimeoutMs", "maxConnections", "drainTimeoutMs",
                   "maxRecordsPerMessage", "bulkThresholdBytes", "maxConnectionsPerClient", "maxLargeBodies", "maxLargeBodiesPerParty",
                   "maxHandshakes", "maxHandshakesPerClient", "partyRequestsPerSecond", "partyBurst", "maxWriteQueue", "maxProblemsPerRecord",
                   "maxListedRecords"});
        c.limits.header_bytes = size_setting(file, v, "headerBytes", c.limits.header_bytes);
        c.limits.body_bytes = size_setting(file, v, "bodyBytes", c.limits.body_bytes);
        c.limits.handshake_timeout = std::chrono::milliseconds(size_setting(file, v, "handshakeTimeoutMs", c.limits.handshake_timeout.count()));
        c.limits.read_timeout = std::chrono::milliseconds(size_setting(file, v, "readTimeoutMs", c.limits.read_timeout.count()));
        c.limits.idle_timeout = std::chrono::milliseconds(size_setting(file, v, "idleTimeoutMs", c.limits.idle_timeout.count()));
        c.limits.max_connections = size_setting(file, v, "maxConnections", c.limits.max_connections);
        c.drain_timeout = std::chrono::milliseconds(size_setting(file, v, "drainTimeoutMs", c.drain_timeout.count()));
        c.parse.max_meldingen = size_setting(file, v, "maxRecordsPerMessage", c.parse.max_meldingen);
        c.bulk_threshold_bytes = size_setting(file, v, "bulkThresholdBytes", c.bulk_threshold_bytes);
        c.limits.max_connections_per_client = size_setting(file, v, "maxConnectionsPerClient", c.limits.max_connections_per_client);
        c.limits.max_large_bodies = size_setting(file, v, "maxLargeBodies", c.limits.max_large_bodies);
        c.limits.max_large_bodies_per_party =
            size_setting(file, v, "maxLargeBodiesPerParty", std::max<std::size_t>(1, c.limits.max_large_bodies / 2));
        c.limits.max_handshakes = size_setting(file, v, "maxHandshakes", c.limits.max_handshakes);
        c.limits.max_handshakes_per_client = size_setting(file, v, "maxHandshakesPerClient", c.limits.max_handshakes_per_client);
        c.party_rate = static_cast<double>(size_setting(file, v, "partyRequestsPerSecond", static_cast<std::size_t>(c.party_rate)));
        c.party_burst = static_cast<double>(size_setting(file, v, "partyBurst", static_cast<std::size_t>(c.party_burst)));
        c.max_write_queue = size_setting(file, v, "maxWriteQueue", c.max_write_queue);
        c.report.problems_per_record = size_setting(file, v, "maxProblemsPerRecord", c.report.problems_per_record);
        c.report.listed_records = size_setting(file, v, "maxListedRecords", c.report.listed_records);
    }
    const auto& audit = member(file, doc, "audit", "");
    only_keys(file, audit, "/audit", {"pseudonymKeyFile", "signingKeyFile", "origin", "witnesses"});
    if (auto w = audit.FindMember("witnesses"); w != audit.MemberEnd()) {
        if (!w->value.IsArray()) throw FileError(file, "/audit/witnesses", "a list of {name, url, publicKey}");
        for (rapidjson::SizeType i = 0; i < w->value.Size(); ++i) {
            const std::string at = "/audit/witnesses/" + std::to_string(i);
            const auto& v = w->value[i];
            if (!v.IsObject()) throw FileError(file, at, "an object {name, url, publicKey}");
            only_keys(file, v, at, {"name", "url", "publicKey"});
            WitnessConfig wc{string_member(file, v, "name", at), string_member(file, v, "url", at), path(string_member(file, v, "publicKey", at))};
            if (wc.name.empty() || wc.name.find_first_of(" \n\t+") != std::string::npos)
                throw FileError(file, at + "/name", "a key name is one word without '+'");
            if (wc.url.rfind("http://", 0) != 0) throw FileError(file, at + "/url", "http://HOST:PORT (the witness protocol is plain HTTP)");
            for (const auto& other : c.witnesses)
                if (other.name == wc.name) throw FileError(file, at + "/name", "two witnesses of the same name");
            c.witnesses.push_back(std::move(wc));
        }
    }
    c.checkpoint_origin = optional_string(audit, "origin", c.checkpoint_origin);
    if (c.checkpoint_origin.empty() || c.checkpoint_origin.find_first_of(" \n\t") != std::string::npos)
        throw FileError(file, "/audit/origin", "a checkpoint origin is one non-empty word (e.g. example.org/audit)");
    c.pseudonym_key_file = optional_string(audit, "pseudonymKeyFile", c.pseudonym_key_file.string());
    c.signing_key_file = optional_string(audit, "signingKeyFile", c.signing_key_file.string());
    c.limits.large_body_bytes = c.bulk_threshold_bytes;
    return c;
}

std::filesystem::path key_path(const Config& config, const std::filesystem::path& file) { return file.is_absolute() ? file : config.data_dir / file; }

std::filesystem::path audit_keys_dir(const Config& config) { return key_path(config, config.signing_key_file).parent_path() / "audit-keys"; }

std::string store_url(const Config& config) { return config.store.empty() ? "sqlite:" + config.data_dir.string() : config.store; }

std::filesystem::path region_table_path(const Config& config) {
    const auto current = config.data_dir / "regions/current";
    if (std::filesystem::exists(current)) {
        std::string version = read_file(current);
        while (!version.empty() && (version.back() == '\n' || version.back() == ' ')) version.pop_back();
        const auto file = config.data_dir / "regions" / (version + ".csv");
        if (!version.empty() && std::filesystem::exists(file)) return file;
    }
    return config.regions;
}

std::filesystem::path default_config_path(const std::filesystem::path& argv0) {
    // build/bin/doorstroom-gateway -> <repo>/gateway/config/dev.json; else relative to the cwd.
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) exe = std::filesystem::absolute(argv0);
    const auto repo = exe.parent_path().parent_path().parent_path();
    if (std::filesystem::exists(repo / "gateway/config/dev.json")) return repo / "gateway/config/dev.json";
    return "gateway/config/dev.json";
}

}  // namespace dg
