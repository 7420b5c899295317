#pragma once
// `witness serve`: an independent C2SP tlog-witness (meant to run at another organisation). It
// cosigns a checkpoint of a log it trusts only when it is consistent with the last one it cosigned
// for that origin, and keeps that state durably: once it has cosigned size N with root R, it never
// cosigns a checkpoint that does not extend (N, R) — however well signed.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "audit/note.hpp"
#include "audit/signer.hpp"

namespace dg {

class Witness {
public:
    // `logs`: the public keys of the logs it witnesses (a checkpoint must carry a valid signature
    // of one of them under the checkpoint's origin as key name).
    Witness(HeadSigner key, std::string name, std::vector<note::PublicKey> logs, std::filesystem::path state_dir);

    struct Answer {
        int status = 200;
        std::string body;
        std::string content_type = "text/plain; charset=utf-8";
    };
    // POST /add-checkpoint: "old N\n", the consistency proof (a base64 hash per line), an empty
    // line, the signed checkpoint. 200 and the cosignature line; 400 malformed or old > size;
    // 403 not signed by a known log key; 409 old is not the size cosigned last (the body says which)
    // or a different root at that size; 422 the proof does not verify.
    Answer add_checkpoint(std::string_view body, std::uint64_t now_unix);

    const std::string& name() const { return name_; }
    const HeadSigner& key() const { return key_; }

private:
    struct Latest {
        bool known = false;
        std::uint64_t size = 0;
        merkle::Hash root{};
    };
    Latest load(const std::string& origin) const;
    void save(const std::string& origin, const note::Checkpoint& c) const;
    std::filesystem::path state_file(const std::string& origin) const;

    HeadSigner key_;
    std::string name_;
    std::vector<note::PublicKey> logs_;
    std::filesystem::path state_dir_;
    std::mutex mu_;  // a check and its state change are one step
};

struct WitnessOptions {
    std::filesystem::path key_file, state_dir;
    std::vector<std::filesystem::path> log_keys;  // PEM public keys of the logs to witness
    std::string listen, name = "witness.local";
};

// Runs the witness's plain-HTTP listener until SIGTERM/SIGINT; returns the exit code.
int run_witness(const WitnessOptions& options);

}  // namespace dg
