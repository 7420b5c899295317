#pragma once
// The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1, over audit entries:
// leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right). Trees are read through a
// NodeSource that knows the hashes of complete (perfect, aligned) subtrees, so any tree head or
// proof needs only O(log n) of them.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dg::merkle {

using Hash = std::array<unsigned char, 32>;

Hash leaf_hash(std::string_view entry);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // SHA-256 of the empty string
std::string hex(const Hash& h);
bool from_hex(std::string_view text, Hash& out);

// Hashes of complete subtrees: node(level, index) covers leaves [index << level, (index + 1) << level).
class NodeSource {
public:
    virtual ~NodeSource() = default;
    virtual Hash node(unsigned level, std::uint64_t index) = 0;
    // Which nodes a head or proof reads depends on the sizes and indexes only, never on hashes; a
    // source for which each look-up is a round trip (a database) says so, and is told the whole
    // list before the computation starts.
    struct Ref {
        unsigned level;
        std::uint64_t index;
    };
    virtual bool wants_prefetch() const { return false; }
    virtual void prefetch(const std::vector<Ref>&) {}
};

// MTH(D[lo:hi]) of RFC 9162 2.1.1, for 0 <= lo < hi.
Hash subtree_root(NodeSource& nodes, std::uint64_t lo, std::uint64_t hi);
Hash root(NodeSource& nodes, std::uint64_t size);

// PATH(index, D[0:size]) of 2.1.3.1 and PROOF(from, D[0:to]) of 2.1.4.1.
std::vector<Hash> inclusion_proof(NodeSource& nodes, std::uint64_t index, std::uint64_t size);
std::vector<Hash> consistency_proof(NodeSource& nodes, std::uint64_t from, std::uint64_t to);

// The verification algorithms of 2.1.3.2 and 2.1.4.2: what an outsider runs.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof, const Hash& root);
bool verify_consistency(std::uint64_t from, std::uint64_t to, const Hash& from_root, const Hash& to_root, const std::vector<Hash>& proof);

// Leaves held in memory, complete subtrees computed as they complete (tests, `audit verify`).
class MemoryTree final : public NodeSource {
public:
    MemoryTree() = default;
    // A log whose first `removed` leaves are gone but for the edge of that prefix
    // (CompactRange::edge_of(removed), largest first): every head, inclusion proof and consistency
    // proof at sizes from `removed` on needs no other node of the prefix. Throws
    // std::invalid_argument when the number of edge nodes does not match.
    MemoryTree(std::uint64_t removed, const std::vector<Hash>& edge);
    void append(const Hash& leaf);
    std::uint64_t size() const { return levels_.empty() ? 0 : first_[0] + levels_[0].size(); }
    // Throws std::out_of_range for a subtree not complete yet, or inside the removed prefix
    // and not on its edge.
    Hash node(unsigned level, std::uint64_t index) override;

private:
    std::vector<std::vector<Hash>> levels_;  // levels_[l][i]: the complete subtree first_[l] + i of level l
    std::vector<std::uint64_t> first_;       // per level, the index of the first subtree held
};

// The right edge of a log of `size` leaves: its complete subtrees, one per 1-bit of `size`, from
// the largest (leftmost) down (as transparency-dev's compact.Range for [0, size)). All a writer
// needs to append: each leaf and every subtree it completes are handed to a visitor for the store
// to persist, and the edge moves on.
class CompactRange {
public:
    // The nodes the edge of a log of `size` consists of, largest first: what a store loads to
    // resume appending.
    static std::vector<NodeSource::Ref> edge_of(std::uint64_t size);

    CompactRange() = default;  // the empty log
    // Resumes at `size` from the hashes of edge_of(size), in that order; throws std::invalid_argument
    // when their number does not match.
    CompactRange(std::uint64_t size, std::vector<Hash> edge);

    using Visitor = std::function<void(unsigned level, std::uint64_t index, const Hash& hash)>;
    // Appends one leaf hash; `visit` sees the leaf (level 0) and then each subtree it completes.
    void append(const Hash& leaf, const Visitor& visit);

    std::uint64_t size() const { return size_; }
    Hash root() const;  // MTH of the whole log (the empty root for size 0)
    bool operator==(const CompactRange&) const = default;

private:
    std::uint64_t size_ = 0;
    std::vector<Hash> edge_;  // as edge_of(size_)
};

}  // namespace dg::merkle
