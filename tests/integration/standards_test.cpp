// The Dutch standards' views over the audit log, against the real server on both stores: FSC
// transaction log records (GET /v1/logs), the register of processing activities derived from the
// policy (GET /v1/verwerkingsregister), and Logboek Dataverwerkingen's "lezen" answer
// (POST /v1/processing-activities). Expected values come from the contract, the requests the
// test itself made, and a pseudonym computed here with OpenSSL's own HMAC from the key file.
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <set>

#include "core/hex.hpp"
#include "gateway_fixture.hpp"

using namespace dg;
using namespace dg::test;

namespace {

const std::string kSchool = "00000099000000000201", kLas = "00000099000000000801";
const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kTraceparent = "00-" + kTrace + "-00f067aa0ba902b7-01";

std::string uuid7(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "0192f4a8-7b2c-7d3e-9f10-%012d", n);
    return buf;
}

HttpReply with_headers(const Gateway& gw, const std::string& party, http::verb m, const std::string& target, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
    TlsClient c(gw.port, party, dev_certs_dir());
    if (!c.connect()) return {};
    return c.request(m, target, body, "application/json", headers);
}

// "ps:<type>:" + hex HMAC-SHA-256(key file, "<type>:<number>"), by OpenSSL's one-shot HMAC.
std::string pseudonym_of(const Gateway& gw, const std::string& tag, const std::string& identifier) {
    std::string key = slurp(gw.config.data_dir / "pseudonym.key");
    while (!key.empty() && (key.back() == '\n' || key.back() == ' ')) key.pop_back();
    unsigned char md[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(identifier.data()), identifier.size(), md,
         &len);
    return "ps:" + tag + ":" + to_hex(md, len);
}

std::vector<std::string> transaction_ids(const HttpReply& r) {
    std::vector<std::string> out;
    const auto d = parse(r.body);
    if (d.IsObject() && d.HasMember("records"))
        for (const auto& rec : d["records"].GetArray()) out.push_back(rec["transactionId"].GetString());
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(standards)

BOOST_AUTO_TEST_CASE(fsc_logs_show_each_party_its_own_requests) {
    Gateway gw;
    for (int i = 1; i <= 3; ++i)
        BOOST_REQUIRE(with_headers(gw, "school-12AB", http::verb::post, "/v1/berichten",
                                   verzuim("LOG-" + std::to_string(i), "LOG-M-" + std::to_string(i)), {{"Fsc-Transaction-Id", uuid7(i)}})
                          .status == 202);
    with_headers(gw, "coordinator-amsterdam", http::verb::get, "/v1/caseload", {}, {{"Fsc-Transaction-Id", uuid7(50)}});
    with_headers(gw, "las-leverancier", http::verb::post, "/v1/berichten", verzuim("LOG-4", "LOG-M-4"),
                 {{"Fsc-Transaction-Id", uuid7(4)}, {"Namens", kSchool}});
    // Newest first; the coordinator's request is not the school's.
    const HttpReply all = gw.as("school-12AB", http::verb::get, "/v1/logs");
    BOOST_REQUIRE(all.status == 200);
    BOOST_TEST(transaction_ids(all) == (std::vector<std::string>{uuid7(4), uuid7(3), uuid7(2), uuid7(1)}));
    const auto doc = parse(all.body);
    const auto& own = doc["records"][3];
    BOOST_TEST(own["direction"].GetString() == std::string("DIRECTION_INCOMING"));
    BOOST_TEST(own["source"]["outwayPeerId"].GetString() == kSchool);
    BOOST_TEST(!own["source"].HasMember("delegatorPeerId"));
    BOOST_TEST(own["destination"]["servicePeerId"].GetString() == std::string("00000099000000000001"));  // dev.json peerId
    BOOST_TEST(own["status"].GetInt() == 202);
    BOOST_TEST(std::string(own["createdAt"].GetString()).size() == 24u);
    // What the supplier sent for the school: the supplier connected, for the school (FSC delegation).
    const auto& delegated = doc["records"][0];
    BOOST_TEST(delegated["source"]["outwayPeerId"].GetString() == kLas);
    BOOST_TEST(delegated["source"]["delegatorPeerId"].GetString() == kSchool);
    BOOST_TEST(doc["pagination"]["nextCursor"].IsNull());
    // The supplier sees its own request (and its /v1/logs read below); namens the school, the school's.
    const auto las = transaction_ids(gw.as("las-leverancier", http::verb::get, "/v1/logs?sortOrder=asc"));
    BOOST_REQUIRE(!las.empty());
    BOOST_TEST(las.front() == uuid7(4));
    BOOST_TEST((std::find(las.begin(), las.end(), uuid7(1)) == las.end()));
    const auto namens = transaction_ids(
        with_headers(gw, "las-leverancier", http::verb::get, "/v1/logs?transactionIds=" + uuid7(1) + "," + uuid7(2), {}, {{"Namens", kSchool}}));
    BOOST_TEST(namens == (std::vector<std::string>{uuid7(2), uuid7(1)}));
    // Filters and paging: oldest first, two at a time.
    const HttpReply first = gw.as("school-12AB", http::verb::get, "/v1/logs?sortOrder=asc&limit=2");
    BOOST_TEST(transaction_ids(first) == (std::vector<std::string>{uuid7(1), uuid7(2)}));
    const std::string cursor = parse(first.body)["pagination"]["nextCursor"].GetString();
    const HttpReply second = gw.as("school-12AB", http::verb::get, "/v1/logs?sortOrder=asc&limit=2&cursor=" + cursor);
    const auto next = transaction_ids(second);
    BOOST_REQUIRE(next.size() == 2u);
    BOOST_TEST(next[0] == uuid7(3));
    BOOST_TEST(next[1] == uuid7(4));
    BOOST_TEST(transaction_ids(gw.as("school-12AB", http::verb::get, "/v1/logs?before=2000-01-01")).empty());
    BOOST_TEST(transaction_ids(gw.as("school-12AB", http::verb::get, "/v1/logs?after=2000-01-01T00:00:00Z&transactionIds=" + uuid7(3))) ==
               std::vector<std::string>{uuid7(3)});
    for (const char* bad : {"limit=0", "limit=5000", "sortOrder=up", "cursor=x", "after=yesterday", "transactionIds=abc", "bsn=291417772"}) {
        const HttpReply r = gw.as("school-12AB", http::verb::get, std::string("/v1/logs?") + bad);
        BOOST_TEST(r.status == 400, bad);
        BOOST_TEST(first_code(r) == "message.schema", bad);
    }
}

BOOST_AUTO_TEST_CASE(the_register_is_derived_from_the_policy_and_versioned_with_it) {
    Gateway gw;
    const auto reg = parse(gw.as("gemeente-0363", http::verb::get, "/v1/verwerkingsregister").body);
    BOOST_REQUIRE(reg.IsArray());
    std::map<std::string, std::string> ids;  // purpose id -> activity URI
    for (const auto& a : reg.GetArray()) {
        const std::string id = a["id"].GetString();
        BOOST_TEST(id.rfind("urn:x-doorstroom-gateway:verwerking:", 0) == 0u);
        const std::string purpose = id.substr(36, id.rfind(':') - 36);
        ids[purpose] = id;
        for (const char* k : {"name", "purpose", "legalBasis", "retention", "policyVersion"})
            BOOST_TEST(std::string(a[k].GetString()).size() > 0u, k);
        BOOST_TEST(a["dataCategories"].Size() > 0u);
        BOOST_TEST(a["recipients"].Size() > 0u);
    }
    // Every purpose of the policy file is an activity of the register.
    const auto policy = parse(slurp(source_dir() / "policies/sharing.json"));
    std::set<std::string> purposes;
    for (const auto& t : policy["berichttypen"].GetObject()) purposes.insert(t.value["purpose"]["id"].GetString());
    for (const auto& r : policy["roles"].GetObject()) {
        purposes.insert(r.value["purpose"]["id"].GetString());
        if (r.value.HasMember("reads")) purposes.insert(r.value["reads"]["purpose"]["id"].GetString());
    }
    for (const auto& s : policy["systemPurposes"].GetObject()) purposes.insert(s.value["id"].GetString());
    for (const auto& p : purposes) BOOST_TEST(ids.count(p) == 1u, p);
    BOOST_TEST(ids.size() == purposes.size());
    // Each audit entry names the activity of its purpose, from this register.
    gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    const auto entry = parse(gw.audit_entries().back());
    BOOST_TEST(entry["processingActivity"].GetString() == ids.at("dg-va-verzuimaanpak"));
    BOOST_TEST(std::string(entry["endTime"].GetString()) >= std::string(entry["time"].GetString()));

    // A policy that changes one activity (verzuimmelding's retention) changes that activity's id only.
    TempDir dir;
    std::filesystem::copy(source_dir() / "policies", dir.path / "policies");
    std::string text = slurp(dir.path / "policies/sharing.json");
    const std::string from = R"("retention": { "years": 5, "after": "verzuim/tot", "ifMissing": "received" })";
    BOOST_REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), R"("retention": { "years": 6, "after": "verzuim/tot", "ifMissing": "received" })");
    write(dir.path / "policies/sharing.json", text);
    Gateway changed([&](Config& c) { c.policies = dir.path / "policies"; });
    const auto reg2 = parse(changed.as("gemeente-0363", http::verb::get, "/v1/verwerkingsregister").body);
    for (const auto& a : reg2.GetArray()) {
        const std::string id = a["id"].GetString();
        const std::string purpose = id.substr(36, id.rfind(':') - 36);
        BOOST_TEST((id == ids.at(purpose)) == (purpose != "dg-va-verzuimaanpak"), purpose);
        BOOST_TEST(a["policyVersion"].GetString() != reg[0]["policyVersion"].GetString());
    }
}

BOOST_AUTO_TEST_CASE(ldv_processing_activities_by_data_subject_or_trace) {
    Gateway gw;
    // The example: a pupil with BSN 291417772 (0363) and one with an onderwijsnummer (0384).
    const HttpReply sent =
        with_headers(gw, "school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"), {{"traceparent", kTraceparent}});
    BOOST_REQUIRE(sent.status == 202);
    const auto entry = parse(gw.audit_entries().back());
    const std::string bsn_pseudonym = pseudonym_of(gw, "bsn", "bsn:291417772");
    BOOST_TEST(slurp(source_dir().parent_path() / "shared/spec/examples/verzuimmelding.json").find("291417772") != std::string::npos);
    auto query = [&](const std::string& body, const std::string& party = "auditor") {
        return gw.as(party, http::verb::post, "/v1/processing-activities", body);
    };
    const HttpReply by_bsn = query(R"({"dpl.core.data_subject_id":"291417772","dpl.core.data_subject_id_type":"bsn"})");
    BOOST_REQUIRE(by_bsn.status == 200);
    BOOST_TEST(by_bsn.body.find("291417772") == std::string::npos);  // never the number
    const auto bsn_doc = parse(by_bsn.body);
    const auto lines = bsn_doc["processingActivities"].GetArray();
    BOOST_REQUIRE(lines.Size() == 1u);  // one request about this pupil so far
    const auto& line = lines[0];
    BOOST_TEST(line["traceId"].GetString() == kTrace);
    BOOST_TEST(line["parentSpanId"].GetString() == std::string(entry["spanId"].GetString()));  // the request's span
    const std::string span = line["spanId"].GetString();
    BOOST_TEST(span.size() == 16u);
    BOOST_TEST(span != std::string(entry["spanId"].GetString()));
    BOOST_TEST(line["status"].GetString() == std::string("STATUS_CODE_OK"));
    BOOST_TEST(line["startTime"].GetInt64() <= line["endTime"].GetInt64());
    BOOST_TEST(line["attributes"]["dpl.core.data_subject_id"].GetString() == bsn_pseudonym);
    BOOST_TEST(line["attributes"]["dpl.core.data_subject_id_type"].GetString() == std::string("bsn"));
    BOOST_TEST(line["attributes"]["dpl.core.processing_activity_id"].GetString() == std::string(entry["processingActivity"].GetString()));
    // By trace: a line per data subject of the request, each its own span.
    const auto by_trace = parse(query(R"({"traceId":")" + kTrace + R"("})").body);
    BOOST_REQUIRE(by_trace["processingActivities"].Size() == 2u);
    std::set<std::string> types, spans;
    for (const auto& l : by_trace["processingActivities"].GetArray()) {
        types.insert(l["attributes"]["dpl.core.data_subject_id_type"].GetString());
        spans.insert(l["spanId"].GetString());
    }
    BOOST_TEST(types == (std::set<std::string>{"bsn", "onderwijsnummer"}));
    BOOST_TEST(spans.size() == 2u);
    // Both, when they belong together; a time window.
    BOOST_TEST(query(R"({"dpl.core.data_subject_id":"291417772","dpl.core.data_subject_id_type":"bsn","traceId":")" + kTrace + R"("})").status ==
               200);
    const auto late = parse(query(R"({"traceId":")" + kTrace + R"(","startTime":4102444800000})").body);
    BOOST_TEST(late["processingActivities"].Size() == 0u);
    // The auditor's own reads about the pupil are processing too: the next query finds them.
    BOOST_TEST(parse(query(R"({"dpl.core.data_subject_id":"291417772","dpl.core.data_subject_id_type":"bsn"})").body)["processingActivities"].Size() >
               1u);
    // Bad input names the field; others may not ask.
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"{}", "/dpl.core.data_subject_id"},
        {R"({"dpl.core.data_subject_id":"291417772"})", "/dpl.core.data_subject_id_type"},
        {R"({"dpl.core.data_subject_id":"291417773","dpl.core.data_subject_id_type":"bsn"})", "/dpl.core.data_subject_id"},
        {R"({"dpl.core.data_subject_id_type":"bsn"})", "/dpl.core.data_subject_id"},
        {R"({"traceId":"XYZ"})", "/traceId"},
        {R"({"traceId":")" + kTrace + R"(","bsn":"291417772"})", "/bsn"},
        {R"({"traceId":")" + kTrace + R"(","startTime":5,"endTime":4})", "/endTime"},
        {R"({"dpl.core.data_subject_id":"999999990","dpl.core.data_subject_id_type":"bsn","traceId":")" + kTrace + R"("})", "/traceId"},
    };
    for (const auto& [body, path] : bad) {
        const HttpReply r = query(body);
        BOOST_TEST(r.status == 400, body);
        const auto d = parse(r.body);
        BOOST_TEST((d.IsObject() && d["errors"].Size() > 0 && d["errors"][0]["path"].GetString() == path), body << " -> " << r.body);
        BOOST_TEST(r.body.find("291417772") == std::string::npos);
    }
    BOOST_TEST(query("not json").status == 400);
    const HttpReply other = query(R"({"traceId":")" + kTrace + R"("})", "coordinator-amsterdam");
    BOOST_TEST(other.status == 403);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(checkpoints)

// The checkpoint checked from its bytes alone, with OpenSSL and the published key (C2SP
// signed-note and tlog-checkpoint), against the signed tree head of the same size.
BOOST_AUTO_TEST_CASE(a_checkpoint_is_a_c2sp_signed_note_over_the_tree_head) {
    Gateway gw;
    gw.as("school-12AB", http::verb::post, "/v1/berichten", example("verzuimmelding.json"));
    HttpReply r = gw.as("auditor", http::verb::get, "/v1/audit/checkpoint");
    BOOST_REQUIRE(r.status == 200);
    BOOST_TEST(r.headers["Content-Type"].rfind("text/plain", 0) == 0u);
    const std::string& note = r.body;
    const auto blank = note.find("\n\n");
    BOOST_REQUIRE(blank != std::string::npos);
    const std::string body = note.substr(0, blank + 1);
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < body.size();) {
        const auto nl = body.find('\n', at);
        lines.push_back(body.substr(at, nl - at));
        at = nl + 1;
    }
    BOOST_REQUIRE(lines.size() == 3u);
    const std::string origin = "doorstroom-gateway.local/audit";
    BOOST_TEST(lines[0] == origin);
    const std::string sig_line = note.substr(blank + 2);
    const std::string prefix = "\xE2\x80\x94 " + origin + " ";  // "— origin "
    BOOST_REQUIRE(sig_line.rfind(prefix, 0) == 0u);
    BOOST_TEST(sig_line.back() == '\n');
    auto unb64 = [](const std::string& s) {
        std::string out(s.size(), '\0');
        const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                                      static_cast<int>(s.size()));
        out.resize(n < 0 ? 0 : static_cast<std::size_t>(n) - (s.size() >= 2 && s[s.size() - 2] == '=' ? 2 : s.back() == '=' ? 1 : 0));
        return out;
    };
    const std::string blob = unb64(sig_line.substr(prefix.size(), sig_line.size() - prefix.size() - 1));
    BOOST_REQUIRE(blob.size() == 68u);  // 4-byte key hash + 64-byte Ed25519 signature
    // The published key: its raw bytes give the key hash; it verifies the signature over the body.
    const auto keys = parse(gw.as("auditor", http::verb::get, "/v1/audit/keys").body);
    const std::string pem = keys["keys"][0]["publicKey"].GetString();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    BOOST_REQUIRE(key);
    unsigned char raw[32];
    std::size_t raw_len = sizeof raw;
    BOOST_REQUIRE(EVP_PKEY_get_raw_public_key(key, raw, &raw_len) == 1);
    std::string id = origin + "\n\x01" + std::string(reinterpret_cast<char*>(raw), raw_len);
    unsigned char hash[32];
    unsigned int hash_len = 0;
    EVP_Digest(id.data(), id.size(), hash, &hash_len, EVP_sha256(), nullptr);
    BOOST_TEST(blob.substr(0, 4) == std::string(reinterpret_cast<char*>(hash), 4));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool verified = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
                          EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(blob.data() + 4), 64,
                                           reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1;
    BOOST_TEST(verified);
    // A changed size does not verify.
    std::string forged = body;
    forged[origin.size() + 1] = forged[origin.size() + 1] == '9' ? '8' : '9';
    BOOST_TEST(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1);
    BOOST_TEST(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(blob.data() + 4), 64,
                                reinterpret_cast<const unsigned char*>(forged.data()), forged.size()) != 1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    // Size and root: the log's tree of that size (as its proofs give it), and not more than the log holds.
    const std::string size = lines[1];
    BOOST_TEST(std::stoul(size) >= 1u);
    const auto proof = parse(gw.as("auditor", http::verb::get, "/v1/audit/proof/inclusion?index=0&size=" + size).body);
    BOOST_REQUIRE(proof.IsObject() && proof.HasMember("root"));
    const std::string root = unb64(lines[2]);
    BOOST_TEST(to_hex(reinterpret_cast<const unsigned char*>(root.data()), root.size()) == std::string(proof["root"].GetString()));
    BOOST_TEST(gw.as("school-12AB", http::verb::get, "/v1/audit/checkpoint").status == 403);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(receipts)

namespace {

std::string b64(const unsigned char* p, std::size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

// Checks a 202's receipt from its bytes: the digest of what was sent, the audit entry it names, and
// the Ed25519 signature over the text of interface.md with the published key.
void check_receipt(const Gateway& gw, const std::string& body, const std::string& receipt_json, const std::string& party_oin) {
    const auto receipt = parse(receipt_json);
    BOOST_REQUIRE(receipt.IsObject());
    for (const char* k : {"receivedAt", "digest", "keyId", "signature"}) BOOST_REQUIRE_MESSAGE(receipt.HasMember(k) && receipt[k].IsString(), k);
    BOOST_REQUIRE(receipt.HasMember("auditIndex") && receipt["auditIndex"].IsUint64());
    unsigned char md[32];
    unsigned int md_len = 0;
    EVP_Digest(body.data(), body.size(), md, &md_len, EVP_sha256(), nullptr);
    const std::string digest = "sha-256=:" + b64(md, md_len) + ":";
    BOOST_TEST(receipt["digest"].GetString() == digest);
    const std::uint64_t index = receipt["auditIndex"].GetUint64();
    const auto entries = gw.audit_entries(true);  // indexes count the start entry too
    BOOST_REQUIRE(index < entries.size());
    const auto entry = parse(entries[index]);
    BOOST_TEST(entry["berichtId"].GetString() == std::string(receipt["berichtId"].GetString()));
    BOOST_TEST(entry["partyOin"].GetString() == party_oin);
    BOOST_TEST(entry["time"].GetString() == std::string(receipt["receivedAt"].GetString()));
    const std::string text = "doorstroom-gateway receipt v1\n" + std::string(receipt["berichtId"].GetString()) + "\n" + party_oin + "\n" + digest +
                             "\n" + receipt["receivedAt"].GetString() + "\n" + std::to_string(index) + "\n" +
                             std::to_string(receipt["accepted"].GetUint64()) + "\n" + std::to_string(receipt["rejected"].Size()) + "\n";
    const auto keys = parse(gw.as("auditor", http::verb::get, "/v1/audit/keys").body);
    BOOST_TEST(keys["keys"][0]["keyId"].GetString() == std::string(receipt["keyId"].GetString()));
    const std::string pem = keys["keys"][0]["publicKey"].GetString();
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    BOOST_REQUIRE(key);
    const std::string sig64 = receipt["signature"].GetString();
    unsigned char sig[72];
    const int sig_len = EVP_DecodeBlock(sig, reinterpret_cast<const unsigned char*>(sig64.data()), static_cast<int>(sig64.size()));
    BOOST_REQUIRE(sig_len == 66);  // 64 bytes, padded
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    BOOST_TEST((EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
                EVP_DigestVerify(ctx, sig, 64, reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1));
    const std::string other = text + "x";  // any other text fails
    BOOST_TEST(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1);
    BOOST_TEST(EVP_DigestVerify(ctx, sig, 64, reinterpret_cast<const unsigned char*>(other.data()), other.size()) != 1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_202_is_a_signed_receipt_that_verifies_from_its_bytes) {
    Gateway gw([](Config& c) { c.bulk_threshold_bytes = 4096; });
    const std::string small = verzuim("RC-1", "RC-M-1");
    const HttpReply first = gw.as("school-12AB", http::verb::post, "/v1/berichten", small);
    BOOST_REQUIRE(first.status == 202);
    check_receipt(gw, small, first.body, kSchool);
    // A replay gives the same signed receipt.
    BOOST_TEST(gw.as("school-12AB", http::verb::post, "/v1/berichten", small).body == first.body);
    // The bulk path (a body above the threshold), with one record refused.
    std::string big = R"({"berichtId":"RC-2","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[)";
    for (int i = 0; i < 40; ++i) {
        std::string one = verzuim("x", "RC-B-" + std::to_string(i));
        one = one.substr(one.find("[{") + 1);
        one.resize(one.size() - 2);
        if (i == 7) one.replace(one.find("291417772"), 9, "291417773");  // bsn.checksum
        big += (i ? "," : "") + one;
    }
    big += "]}";
    BOOST_REQUIRE(big.size() > 4096u);
    const HttpReply bulk = gw.as("school-12AB", http::verb::post, "/v1/berichten", big);
    BOOST_REQUIRE_MESSAGE(bulk.status == 202, bulk.body);
    BOOST_TEST(parse(bulk.body)["accepted"].GetUint64() == 39u);
    check_receipt(gw, big, bulk.body, kSchool);
    // Namens: the principal's OIN is signed.
    const std::string namens = verzuim("RC-3", "RC-M-3");
    const HttpReply las = with_headers(gw, "las-leverancier", http::verb::post, "/v1/berichten", namens, {{"Namens", kSchool}});
    BOOST_REQUIRE(las.status == 202);
    check_receipt(gw, namens, las.body, kSchool);
}

BOOST_AUTO_TEST_CASE(a_content_digest_that_does_not_match_the_body_changes_nothing) {
    Gateway gw;
    const std::string body = verzuim("CD-1", "CD-M-1");
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), md, &len, EVP_sha256(), nullptr);
    const std::string right = "sha-256=:" + b64(md, len) + ":";
    std::string wrong = right;
    wrong[10] = wrong[10] == 'A' ? 'B' : 'A';
    const HttpReply bad = with_headers(gw, "school-12AB", http::verb::post, "/v1/berichten", body, {{"Content-Digest", wrong}});
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(first_code(bad) == "message.digest-mismatch");
    BOOST_TEST(caseload_meldingen(gw, "coordinator-amsterdam").empty());
    // Also among other algorithms; a digest of another algorithm alone is not checked.
    const HttpReply ok = with_headers(gw, "school-12AB", http::verb::post, "/v1/berichten", body, {{"Content-Digest", "sha-512=:AAAA:, " + right}});
    BOOST_TEST(ok.status == 202, ok.body);
    BOOST_TEST(parse(ok.body)["digest"].GetString() == right);
    BOOST_TEST(with_headers(gw, "school-12AB", http::verb::post, "/v1/validate", body, {{"Content-Digest", wrong}}).status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
