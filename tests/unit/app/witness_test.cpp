// The witness's rules (C2SP tlog-witness add-checkpoint) on logs built in memory: what it cosigns,
// what it refuses with which status, and that its state survives a restart.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <random>

#include "app/witness.hpp"

using namespace dg;

namespace {

struct Logs {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("dg-witness-" + std::to_string(std::random_device{}()));
    HeadSigner log_key = HeadSigner::from_key_file(dir / "log.key");
    HeadSigner other_key = HeadSigner::from_key_file(dir / "other.key");
    merkle::MemoryTree a, b;  // b: a fork of a from its first entry
    std::string origin = "example.org/audit";

    Logs() {
        for (int i = 0; i < 20; ++i) {
            a.append(merkle::leaf_hash("entry " + std::to_string(i)));
            b.append(merkle::leaf_hash("forged " + std::to_string(i)));
        }
    }
    ~Logs() { std::filesystem::remove_all(dir); }

    Witness witness() { return Witness(HeadSigner::from_key_file(dir / "w.key"), "w.example", {log_key.public_key()}, dir / "state"); }

    std::string checkpoint(merkle::MemoryTree& t, std::uint64_t size, const HeadSigner& key, const std::string& o = {}) {
        return key.checkpoint(o.empty() ? origin : o, size, size ? merkle::root(t, size) : merkle::empty_root());
    }
    std::string request(std::uint64_t old, const std::vector<merkle::Hash>& proof, const std::string& cp) {
        std::string body = "old " + std::to_string(old) + "\n";
        for (const auto& h : proof) body += note::base64({reinterpret_cast<const char*>(h.data()), h.size()}) + "\n";
        return body + "\n" + cp;
    }
    std::string add(Witness& w, merkle::MemoryTree& t, std::uint64_t old, std::uint64_t size, int expect) {
        const auto proof = old > 0 && old < size ? merkle::consistency_proof(t, old, size) : std::vector<merkle::Hash>{};
        const auto a = w.add_checkpoint(request(old, proof, checkpoint(t, size, log_key)), 1700000000);
        BOOST_TEST(a.status == expect, "old " << old << " size " << size << ": " << a.status << " " << a.body);
        return a.body;
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(witness)

BOOST_AUTO_TEST_CASE(cosigns_consistent_checkpoints_and_nothing_else) {
    Logs l;
    Witness w = l.witness();
    const std::string line = l.add(w, l.a, 0, 3, 200);
    // The answer is one tlog-cosignature/v1 line over exactly the checkpoint's text.
    const auto parsed = note::parse("x\n\n" + line);
    BOOST_REQUIRE(parsed && parsed->signatures.size() == 1);
    const auto cp = note::parse(l.checkpoint(l.a, 3, l.log_key));
    std::uint64_t time = 0;
    BOOST_TEST(note::verify_cosignature(parsed->signatures[0], "w.example", w.key().public_key(), cp->text, &time));
    BOOST_TEST(time == 1700000000u);
    BOOST_TEST(!note::verify_cosignature(parsed->signatures[0], "w.example", l.other_key.public_key(), cp->text));
    BOOST_TEST(
        !note::verify_cosignature(parsed->signatures[0], "w.example", w.key().public_key(), note::parse(l.checkpoint(l.a, 4, l.log_key))->text));

    BOOST_TEST(l.add(w, l.a, 0, 5, 409) == "3\n");  // stale: it is at 3
    l.add(w, l.a, 3, 7, 200);                       // with a consistency proof from 3
    l.add(w, l.a, 7, 7, 200);                       // the same tree again
    // A fork: b's checkpoints, correctly signed with the log's key.
    BOOST_TEST(l.add(w, l.b, 7, 7, 409) == "7\n");  // another root at the size it cosigned
    const auto forged = merkle::consistency_proof(l.b, 7, 12);
    BOOST_TEST(w.add_checkpoint(l.request(7, forged, l.checkpoint(l.b, 12, l.log_key)), 1).status == 422);
    // a's proof with b's checkpoint (or the other way round) does not verify either.
    BOOST_TEST(w.add_checkpoint(l.request(7, merkle::consistency_proof(l.a, 7, 12), l.checkpoint(l.b, 12, l.log_key)), 1).status == 422);
    l.add(w, l.a, 7, 12, 200);  // the true log goes on
}

BOOST_AUTO_TEST_CASE(refuses_what_it_cannot_check) {
    Logs l;
    Witness w = l.witness();
    const std::string cp = l.checkpoint(l.a, 3, l.log_key);
    BOOST_TEST(w.add_checkpoint("nonsense", 1).status == 400);
    BOOST_TEST(w.add_checkpoint("old 0\n" + cp, 1).status == 400);                                       // no empty line before the checkpoint
    BOOST_TEST(w.add_checkpoint("old 00\n\n" + cp, 1).status == 400);                                    // not a canonical number
    BOOST_TEST(w.add_checkpoint("old 0\nAAAA\n\n" + cp, 1).status == 400);                               // a proof line is a 32-byte hash
    BOOST_TEST(w.add_checkpoint(l.request(4, {}, cp), 1).status == 400);                                 // old above the size
    BOOST_TEST(w.add_checkpoint(l.request(0, {}, "example.org/audit\n3\nAAAA\n"), 1).status == 400);     // unsigned
    BOOST_TEST(w.add_checkpoint(l.request(0, {}, l.checkpoint(l.a, 3, l.other_key)), 1).status == 403);  // a key it does not know
    std::string tampered = cp;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    BOOST_TEST(w.add_checkpoint(l.request(0, {}, tampered), 1).status == 403);
    // Signed with the log's key under another key name than the origin.
    const std::string text = cp.substr(0, cp.find("\n\n") + 1);
    const std::string renamed =
        text + "\n" +
        note::signature_line("someone.else", note::key_hash("someone.else", note::kEd25519, l.log_key.public_key()) + l.log_key.sign_raw(text));
    BOOST_TEST(w.add_checkpoint(l.request(0, {}, renamed), 1).status == 403);
    // After the empty tree no proof is needed (nor accepted); an empty tree has the empty root.
    BOOST_TEST(w.add_checkpoint(l.request(0, {l.a.node(0, 0)}, cp), 1).status == 422);
    BOOST_TEST(w.add_checkpoint(l.request(0, {}, l.checkpoint(l.a, 0, l.log_key)), 1).status == 200);
    BOOST_TEST(w.add_checkpoint(l.request(0, {}, l.log_key.checkpoint("empty.example/log", 0, merkle::leaf_hash("x"))), 1).status == 422);
    // Nothing refused changed its state: it cosigns from zero still.
    l.add(w, l.a, 0, 3, 200);
}

BOOST_AUTO_TEST_CASE(keeps_its_state_per_origin_across_a_restart) {
    Logs l;
    {
        Witness w = l.witness();
        l.add(w, l.a, 0, 6, 200);
    }
    Witness again = l.witness();
    BOOST_TEST(l.add(again, l.a, 0, 8, 409) == "6\n");
    l.add(again, l.a, 6, 8, 200);
    // Another origin under the same key is another log, with a state of its own.
    BOOST_TEST(again.add_checkpoint(l.request(0, {}, l.checkpoint(l.b, 2, l.log_key, "other.example/log")), 1).status == 200);
    BOOST_TEST(l.add(again, l.a, 0, 9, 409) == "8\n");
}

BOOST_AUTO_TEST_SUITE_END()
