#pragma once
// The gateway's side of C2SP tlog-witness: a thread of its own sends each new checkpoint, with a
// consistency proof from the size the witness cosigned last, to every witness in the config
// (audit.witnesses), retries with back-off, checks each cosignature against the witness's key,
// and keeps the valid ones for GET /v1/audit/checkpoint. Nothing of this is on a request's path.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "audit/audit_log.hpp"
#include "audit/note.hpp"
#include "core/metrics.hpp"

namespace dg {

class Witnesses {
public:
    using Checkpoint = std::function<std::string(std::uint64_t size, const merkle::Hash& root)>;  // the log's signed checkpoint
    // Throws FileError when a witness's public key cannot be read.
    Witnesses(const std::vector<WitnessConfig>& witnesses, AuditLog& log, Checkpoint checkpoint, Metrics& metrics);
    ~Witnesses();

    // The cosignature lines the witnesses gave for the checkpoint of (size, root), in config order.
    std::string cosignatures(std::uint64_t size, const std::string& root_hex) const;
    // The newest head a witness cosigned (size, hex root), if any.
    std::optional<std::pair<std::uint64_t, std::string>> newest_cosigned() const;
    // For /readyz: [{"name", "cosignedSize", "behind"}] against a log of `log_size` entries.
    std::string status_json(std::uint64_t log_size) const;
    bool empty() const { return witnesses_.empty(); }

private:
    struct Witness {
        WitnessConfig config;
        note::PublicKey key;
        std::string host = {}, port = {}, prefix = {};
        std::uint64_t known_size = 0;  // the size the witness cosigned last, as far as we know
        std::uint64_t cosigned_size = 0;
        std::string cosigned_root = {}, line = {};  // the head it cosigned last (hex root) and its cosignature line
        unsigned failures = 0;                      // in a row
        std::chrono::steady_clock::time_point next_try{};
    };
    void run();
    void submit(Witness& w, const SignedHead& head);

    AuditLog& log_;
    Checkpoint checkpoint_;
    Metrics& metrics_;
    std::vector<Witness> witnesses_;
    mutable std::mutex mu_;  // the cosigned fields, read by requests
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace dg
