#pragma once
// C2SP signed notes, checkpoints and cosignatures (signed-note, tlog-checkpoint, tlog-cosignature
// v1) over Ed25519: what the log signs, what a witness checks and cosigns, and what the gateway
// checks of a witness's answer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.hpp"

namespace dg::note {

std::string base64(std::string_view raw);
std::optional<std::string> unbase64(std::string_view text);  // strict: padded, no white space

// An Ed25519 public key, as its 32 raw bytes.
struct PublicKey {
    std::string raw;
    static std::optional<PublicKey> from_pem(std::string_view pem);
    bool verify(std::string_view message, std::string_view signature) const;
};

// The first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ raw key): 0x01 for a note signature, 0x04 for
// a cosignature/v1.
constexpr unsigned char kEd25519 = 0x01, kCosignatureV1 = 0x04;
std::string key_hash(std::string_view name, unsigned char type, const PublicKey& key);

struct Signature {
    std::string name;
    std::string blob;  // decoded: key hash ‖ signature (a cosignature: key hash ‖ 8-byte time ‖ signature)
};
struct Note {
    std::string text;  // up to and including its last newline, without the blank line
    std::vector<Signature> signatures;
};
// A note as C2SP signed-note writes it; nullopt when it is not one.
std::optional<Note> parse(std::string_view note);
std::string signature_line(std::string_view name, std::string_view blob);  // "— name base64\n"

struct Checkpoint {
    std::string origin;
    std::uint64_t size = 0;
    merkle::Hash root{};
};
std::optional<Checkpoint> parse_checkpoint(std::string_view text);
std::string checkpoint_text(const Checkpoint& c);

// What a tlog-cosignature/v1 signs: "cosignature/v1\ntime T\n" and the checkpoint's text.
std::string cosigned_message(std::string_view checkpoint_text, std::uint64_t time);
// The witness `name` with `key` cosigned this checkpoint text in `sig` (a parsed signature line).
bool verify_cosignature(const Signature& sig, std::string_view name, const PublicKey& key, std::string_view checkpoint_text,
                        std::uint64_t* time = nullptr);

}  // namespace dg::note
