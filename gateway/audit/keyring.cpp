#include "audit/keyring.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/json_util.hpp"

namespace dg {
namespace {

std::string key_json(const PublishedKey& k) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    write_kv(w, "keyId", k.key_id);
    write_kv(w, "algorithm", "Ed25519");
    write_kv(w, "publicKey", k.public_pem);
    write_kv(w, "validFrom", k.valid_from);
    write_kv(w, "validUntil", k.valid_until);
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::optional<PublishedKey> read_key(const std::filesystem::path& file) {
    const auto doc = parse_json_file(file);
    only_keys(file, doc, "", {"keyId", "algorithm", "publicKey", "validFrom", "validUntil"});
    PublishedKey k{string_member(file, doc, "keyId", ""), string_member(file, doc, "publicKey", ""), optional_string(doc, "validFrom"),
                   optional_string(doc, "validUntil")};
    if (key_id_of_pem(k.public_pem) != k.key_id) throw FileError(file, "/keyId", "is not the id of its publicKey");
    return k;
}

}  // namespace

std::optional<std::string> key_id_of_pem(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) return std::nullopt;
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    EVP_PKEY_free(key);
    if (len <= 0) return std::nullopt;
    std::string id = sha256_hex(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len))).substr(0, 16);
    OPENSSL_free(der);
    return id;
}

std::vector<PublishedKey> published_keys(const HeadSigner& current, const std::filesystem::path& keys_dir) {
    std::vector<PublishedKey> out{{current.key_id(), current.public_key_pem(), {}, {}}};
    if (!std::filesystem::is_directory(keys_dir)) return out;
    std::vector<PublishedKey> retired;
    for (const auto& entry : std::filesystem::directory_iterator(keys_dir)) {
        if (entry.path().extension() != ".json") continue;
        auto k = read_key(entry.path());
        if (k->key_id == current.key_id()) out[0].valid_from = k->valid_from;
        else retired.push_back(std::move(*k));
    }
    std::sort(retired.begin(), retired.end(), [](const auto& a, const auto& b) { return a.valid_until > b.valid_until; });  // newest first
    out.insert(out.end(), retired.begin(), retired.end());
    return out;
}

SignedHead sign_tree_head(AuditLog& log, const HeadSigner& key, const std::string& time, std::optional<std::uint64_t> size) {
    SignedHead head;
    head.size = size.value_or(log.committed_size());
    auto nodes = log.nodes();
    head.root = merkle::hex(merkle::root(*nodes, head.size));
    head.time = time;
    head.key_id = key.key_id();
    head.signature = key.sign_base64(signed_head_text(head.size, head.root, head.time));
    return head;
}

std::filesystem::path next_key_file(const std::filesystem::path& signing_key_file) { return signing_key_file.string() + ".next"; }

HeadSigner rotate_signing_key(const HeadSigner& current, const std::filesystem::path& signing_key_file, const std::filesystem::path& keys_dir,
                              const std::string& now) {
    std::string since;
    if (const auto file = keys_dir / (current.key_id() + ".json"); std::filesystem::exists(file)) since = read_key(file)->valid_from;
    replace_file_durably(keys_dir / (current.key_id() + ".json"), key_json({current.key_id(), current.public_key_pem(), since, now}));
    const auto next_file = next_key_file(signing_key_file);
    HeadSigner next = HeadSigner::from_key_file(next_file);
    replace_file_durably(keys_dir / (next.key_id() + ".json"), key_json({next.key_id(), next.public_key_pem(), now, {}}));
    // The new key takes the old one's place in one rename: the old private key is gone with it.
    if (std::rename(next_file.c_str(), signing_key_file.c_str()) != 0) throw FileError(signing_key_file, "", "cannot take the new signing key");
    return HeadSigner::from_key_file(signing_key_file);
}

}  // namespace dg
