#pragma once
// The gateway's configuration file (gateway/config/dev.json by default). Relative paths resolve
// against the folder of the config file; command-line options override.
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/canonical.hpp"
#include "api/ingest.hpp"
#include "net/https_server.hpp"
#include "net/tls.hpp"

namespace dg {

// A witness of the audit log (C2SP tlog-witness) that the gateway sends its checkpoints to.
struct WitnessConfig {
    std::string name;                  // its cosignature key name
    std::string url;                   // http://HOST:PORT[/prefix]; add-checkpoint is posted below it
    std::filesystem::path public_key;  // its Ed25519 public key (PEM): cosignatures are checked before they are served
};

struct Config {
    std::filesystem::path file;
    std::string listen = "127.0.0.1:8443";
    std::string admin_listen = "127.0.0.1:9090";
    std::filesystem::path data_dir;
    std::filesystem::path parties, mandates, policies, regions, schemas, openapi, ui;
    TlsFiles tls;
    ServerLimits limits;
    ParseLimits parse;
    ReportLimits report;
    std::chrono::milliseconds drain_timeout{10000};
    std::size_t bulk_threshold_bytes = 1 << 20;   // messages above this stream into the store
    double party_rate = 200, party_burst = 1000;  // requests per second (and burst) per party
    std::size_t max_write_queue = 20000;          // requests waiting for the store's writer
    // Keys, relative to data_dir when not absolute. Gateways sharing one store share these too.
    std::filesystem::path pseudonym_key_file = "pseudonym.key";
    std::filesystem::path signing_key_file = "audit-signing.key";
    unsigned threads = 0;                                              // network threads; 0: one per core
    unsigned workers = 0;                                              // request-handling threads; 0: one per core (at least 2)
    std::string store;                                                 // "sqlite:DIR" or "postgresql://…"; empty: sqlite under data_dir
    std::string peer_id = "doorstroom-gateway";                        // FSC peer id of this service (the operator's OIN)
    std::string checkpoint_origin = "doorstroom-gateway.local/audit";  // C2SP checkpoint origin
    std::vector<WitnessConfig> witnesses;
};

// A key file's path: as configured when absolute, else inside the data dir.
std::filesystem::path key_path(const Config& config, const std::filesystem::path& file);

// Where the public keys of retired audit signing keys are kept: audit-keys/ beside the signing key.
std::filesystem::path audit_keys_dir(const Config& config);

// The store the config names, or the embedded one in the data dir.
std::string store_url(const Config& config);

// Throws FileError naming the file, the setting and the reason.
Config load_config(const std::filesystem::path& file);

std::filesystem::path default_config_path(const std::filesystem::path& argv0);

// The region table in force: the last one imported into the data dir (regions import), else the
// one the config names.
std::filesystem::path region_table_path(const Config& config);

}  // namespace dg
