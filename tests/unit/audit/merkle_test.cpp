#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <map>

#include "audit/merkle.hpp"

using namespace dg::merkle;

namespace {

// Independent reference: RFC 9162 2.1.1 written out naively over byte strings.
std::string ref_sha(const std::string& data) {
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(md), 32);
}

std::string ref_mth(const std::vector<std::string>& d, std::size_t lo, std::size_t hi) {
    const std::size_t n = hi - lo;
    if (n == 0) return ref_sha("");
    std::string input;
    if (n == 1) {
        input.push_back('\0');
        input.append(d[lo]);
        return ref_sha(input);
    }
    std::size_t k = 1;
    while (k * 2 < n) k *= 2;
    input.push_back('\x01');
    input.append(ref_mth(d, lo, lo + k));
    input.append(ref_mth(d, lo + k, hi));
    return ref_sha(input);
}

std::string bytes(const Hash& h) { return std::string(reinterpret_cast<const char*>(h.data()), 32); }

std::vector<std::string> entries(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(std::string("{\"entry\":").append(std::to_string(i)).append("}"));
    return out;
}

MemoryTree tree_of(const std::vector<std::string>& d, std::size_t n) {
    MemoryTree t;
    for (std::size_t i = 0; i < n; ++i) t.append(leaf_hash(d[i]));
    return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(merkle)

BOOST_AUTO_TEST_CASE(hashes_match_an_independent_reference_for_every_size) {
    const auto d = entries(64);
    for (std::size_t n = 0; n <= 64; ++n) {
        MemoryTree t = tree_of(d, n);
        BOOST_TEST(bytes(root(t, n)) == ref_mth(d, 0, n), "size " << n);
    }
    BOOST_TEST(bytes(leaf_hash("x")) == ref_sha(std::string("\0x", 2)));
}

BOOST_AUTO_TEST_CASE(known_answer_from_the_certificate_transparency_test_vectors) {
    const std::vector<std::string> leaves = {"",
                                             std::string("\x00", 1),
                                             "\x10",
                                             "\x20\x21",
                                             "\x30\x31",
                                             "\x40\x41\x42\x43",
                                             "\x50\x51\x52\x53\x54\x55\x56\x57",
                                             "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
    MemoryTree t = tree_of(leaves, leaves.size());
    BOOST_TEST(hex(root(t, 8)) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    BOOST_TEST(hex(root(t, 0)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(inclusion_proofs_for_every_size_and_index) {
    const auto d = entries(64);
    for (std::size_t n = 1; n <= 64; ++n) {
        MemoryTree t = tree_of(d, n);
        Hash r;
        std::copy_n(ref_mth(d, 0, n).data(), 32, reinterpret_cast<char*>(r.data()));
        for (std::size_t i = 0; i < n; ++i) {
            const auto proof = inclusion_proof(t, i, n);
            BOOST_TEST(verify_inclusion(i, n, leaf_hash(d[i]), proof, r), "index " << i << " size " << n);
            BOOST_TEST(!verify_inclusion(i, n, leaf_hash(std::string(d[i]).append(" ")), proof, r));  // another entry
            if (n > 1) BOOST_TEST(!verify_inclusion((i + 1) % n, n, leaf_hash(d[i]), proof, r));      // another index
            if (!proof.empty()) {
                auto bad = proof;
                bad.back()[0] ^= 1;
                BOOST_TEST(!verify_inclusion(i, n, leaf_hash(d[i]), bad, r));
                bad = proof;
                bad.pop_back();
                BOOST_TEST(!verify_inclusion(i, n, leaf_hash(d[i]), bad, r));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(consistency_proofs_for_every_pair_of_sizes) {
    const auto d = entries(64);
    MemoryTree t = tree_of(d, 64);
    for (std::size_t n = 1; n <= 64; ++n) {
        const Hash rn = root(t, n);
        for (std::size_t m = 1; m <= n; ++m) {
            const Hash rm = root(t, m);
            const auto proof = consistency_proof(t, m, n);
            BOOST_TEST(verify_consistency(m, n, rm, rn, proof), "from " << m << " to " << n);
            if (m < n) {
                Hash forged = rm;
                forged[5] ^= 0x80;
                BOOST_TEST(!verify_consistency(m, n, forged, rn, proof));  // a rewritten past
                BOOST_TEST(!verify_consistency(m, n, rm, forged, proof));
                auto bad = proof;
                bad.front()[0] ^= 1;
                BOOST_TEST(!verify_consistency(m, n, rm, rn, bad));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(compact_range_hands_over_every_complete_subtree_and_resumes_from_its_edge) {
    const auto d = entries(70);
    MemoryTree reference;
    CompactRange range;
    std::map<std::pair<unsigned, std::uint64_t>, Hash> persisted;  // what a store would have written
    for (std::size_t n = 0; n < d.size(); ++n) {
        BOOST_TEST(bytes(range.root()) == ref_mth(d, 0, n), "root at size " << n);
        // A store that reopens at this size loads the edge and goes on exactly as before.
        std::vector<Hash> edge;
        for (const auto& ref : CompactRange::edge_of(n)) edge.push_back(persisted.at({ref.level, ref.index}));
        BOOST_TEST((CompactRange(n, edge) == range), "resumed at size " << n);
        const Hash leaf = leaf_hash(d[n]);
        reference.append(leaf);
        std::vector<std::pair<unsigned, std::uint64_t>> visited;
        range.append(leaf, [&](unsigned level, std::uint64_t index, const Hash& h) {
            visited.emplace_back(level, index);
            persisted[{level, index}] = h;
            BOOST_TEST(bytes(h) == ref_mth(d, index << level, (index + 1) << level), "node " << level << "/" << index);
        });
        // Exactly the subtrees leaf n completes: level 0, then one per trailing 1-bit of n.
        std::size_t expected = 1;
        for (std::uint64_t i = n; i & 1; i >>= 1) ++expected;
        BOOST_TEST(visited.size() == expected, "size " << n);
    }
    BOOST_TEST(range.size() == d.size());
    BOOST_TEST(bytes(range.root()) == bytes(root(reference, d.size())));
    BOOST_CHECK_THROW(CompactRange(5, {leaf_hash("a")}), std::invalid_argument);  // 5 = 101b: two nodes
    const auto edge = CompactRange::edge_of(0b1011);
    BOOST_TEST(edge.size() == 3u);
    BOOST_TEST((edge[0].level == 3 && edge[0].index == 0 && edge[1].level == 1 && edge[1].index == 4 && edge[2].level == 0 && edge[2].index == 10));
}

// Retention removes a prefix of the log and keeps only that prefix's edge: from there on, every
// head and every proof that starts at or after the cut is computed exactly as over the whole log
// (the reference: ref_mth over all entries), and nothing needs a node the cut removed.
BOOST_AUTO_TEST_CASE(a_tree_without_its_removed_prefix_gives_every_head_and_proof_from_the_cut_on) {
    const auto d = entries(45);
    MemoryTree whole = tree_of(d, d.size());
    for (std::uint64_t cut = 0; cut <= d.size(); ++cut) {
        std::vector<Hash> edge;
        for (const auto& ref : CompactRange::edge_of(cut)) edge.push_back(whole.node(ref.level, ref.index));
        MemoryTree pruned(cut, edge);
        for (std::uint64_t i = cut; i < d.size(); ++i) pruned.append(leaf_hash(d[i]));
        BOOST_TEST(pruned.size() == d.size());
        for (std::uint64_t n = std::max<std::uint64_t>(cut, 1); n <= d.size(); ++n) {
            BOOST_TEST(bytes(root(pruned, n)) == ref_mth(d, 0, n), "cut " << cut << " size " << n);
            for (std::uint64_t i = cut; i < n; ++i)
                BOOST_TEST((inclusion_proof(pruned, i, n) == inclusion_proof(whole, i, n)), "cut " << cut << " index " << i << " size " << n);
            for (std::uint64_t m = std::max<std::uint64_t>(cut, 1); m <= n; ++m)
                BOOST_TEST((consistency_proof(pruned, m, n) == consistency_proof(whole, m, n)), "cut " << cut << " from " << m << " to " << n);
        }
        // Of the removed prefix only its edge is there: every other subtree inside it is gone.
        const auto on_edge = CompactRange::edge_of(cut);
        for (unsigned level = 0; (1u << level) <= cut; ++level)
            for (std::uint64_t idx = 0; ((idx + 1) << level) <= cut; ++idx) {
                const bool kept = std::any_of(on_edge.begin(), on_edge.end(), [&](const auto& r) { return r.level == level && r.index == idx; });
                if (kept) BOOST_TEST((pruned.node(level, idx) == whole.node(level, idx)));
                else BOOST_CHECK_THROW(pruned.node(level, idx), std::out_of_range);
            }
    }
    BOOST_CHECK_THROW(MemoryTree(6, {leaf_hash("a")}), std::invalid_argument);  // 6 = 110b: two edge nodes
}

BOOST_AUTO_TEST_CASE(hex_round_trip) {
    const Hash h = leaf_hash("a");
    Hash back{};
    BOOST_TEST(from_hex(hex(h), back));
    BOOST_TEST((back == h));
    BOOST_TEST(!from_hex("zz", back));
}

BOOST_AUTO_TEST_SUITE_END()
