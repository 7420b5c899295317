#include "audit/note.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cctype>
#include <charconv>

namespace dg::note {
namespace {

constexpr std::string_view kDash = "\u2014 ";  // an em dash and a space open a signature line

bool decimal(std::string_view s, std::uint64_t& out) {
    if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(raw.data()),
                                    static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

std::optional<std::string> unbase64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    for (char c : text)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    const int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                                    static_cast<int>(text.size()));
    if (len < 0) return std::nullopt;
    std::size_t n = static_cast<std::size_t>(len);
    const std::size_t pad = text.back() != '=' ? 0 : text[text.size() - 2] == '=' ? 2 : 1;
    if (text.find('=') < text.size() - pad) return std::nullopt;  // padding only at the end
    out.resize(n - pad);
    if (base64(out) != text) return std::nullopt;  // one encoding per value
    return out;
}

std::optional<PublicKey> PublicKey::from_pem(std::string_view pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) return std::nullopt;
    PublicKey out;
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    const bool ok = EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 && EVP_PKEY_get_raw_public_key(key, raw, &len) == 1 && len == 32;
    EVP_PKEY_free(key);
    if (!ok) return std::nullopt;
    out.raw.assign(reinterpret_cast<const char*>(raw), len);
    return out;
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    if (!key) return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = signature.size() == 64 && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

std::string key_hash(std::string_view name, unsigned char type, const PublicKey& key) {
    std::string id(name);
    id += '\n';
    id += static_cast<char>(type);
    id += key.raw;
    unsigned char hash[32];
    SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), hash);
    return std::string(reinterpret_cast<const char*>(hash), 4);
}

std::optional<Note> parse(std::string_view note) {
    // text ‖ "\n" ‖ one or more "— name base64\n" lines; the text ends with a newline itself.
    const auto split = note.find("\n\n");
    if (split == std::string_view::npos || note.back() != '\n') return std::nullopt;
    Note out;
    out.text = std::string(note.substr(0, split + 1));
    std::string_view rest = note.substr(split + 2);
    if (rest.empty()) return std::nullopt;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end + 1);
        if (line.substr(0, kDash.size()) != kDash) return std::nullopt;
        const std::string_view body = line.substr(kDash.size());
        const auto space = body.find(' ');
        if (space == 0 || space == std::string_view::npos || body.find(' ', space + 1) != std::string_view::npos) return std::nullopt;
        auto blob = unbase64(body.substr(space + 1));
        if (!blob || blob->size() < 5) return std::nullopt;
        out.signatures.push_back({std::string(body.substr(0, space)), std::move(*blob)});
    }
    return out;
}

std::string signature_line(std::string_view name, std::string_view blob) {
    return std::string(kDash) + std::string(name) + " " + base64(blob) + "\n";
}

std::optional<Checkpoint> parse_checkpoint(std::string_view text) {
    // origin, size, base64 root, then optional extension lines; every line non-empty.
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        if (end == std::string_view::npos || end == 0) return std::nullopt;
        lines.push_back(text.substr(0, end));
        text.remove_prefix(end + 1);
    }
    Checkpoint c;
    if (lines.size() < 3) return std::nullopt;
    c.origin = std::string(lines[0]);
    const auto root = unbase64(lines[2]);
    if (!decimal(lines[1], c.size) || !root || root->size() != 32) return std::nullopt;
    std::copy(root->begin(), root->end(), c.root.begin());
    return c;
}

std::string checkpoint_text(const Checkpoint& c) {
    return c.origin + "\n" + std::to_string(c.size) + "\n" + base64({reinterpret_cast<const char*>(c.root.data()), c.root.size()}) + "\n";
}

std::string cosigned_message(std::string_view checkpoint_text, std::uint64_t time) {
    return "cosignature/v1\ntime " + std::to_string(time) + "\n" + std::string(checkpoint_text);
}

bool verify_cosignature(const Signature& sig, std::string_view name, const PublicKey& key, std::string_view checkpoint_text, std::uint64_t* time) {
    if (sig.name != name || sig.blob.size() != 4 + 8 + 64 || sig.blob.substr(0, 4) != key_hash(name, kCosignatureV1, key)) return false;
    std::uint64_t t = 0;
    for (int i = 0; i < 8; ++i) t = (t << 8) | static_cast<unsigned char>(sig.blob[4 + i]);
    if (time) *time = t;
    return key.verify(cosigned_message(checkpoint_text, t), std::string_view(sig.blob).substr(12));
}

}  // namespace dg::note
