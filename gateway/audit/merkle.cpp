#include "audit/merkle.hpp"

#include <openssl/evp.h>

#include <bit>
#include <stdexcept>

#include "core/hex.hpp"
#include "core/sha256.hpp"

namespace dg::merkle {
namespace {

Hash sha256(std::initializer_list<std::string_view> parts) {
    Hash out{};
    dg::sha256(parts, out.data());
    return out;
}

std::string_view bytes(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

// The largest power of two smaller than n (n > 1): the RFC's split point k.
std::uint64_t split(std::uint64_t n) {
    std::uint64_t k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
}

bool aligned_perfect(std::uint64_t lo, std::uint64_t n, unsigned& level) {
    if (n == 0 || (n & (n - 1)) != 0) return false;
    level = 0;
    while ((std::uint64_t{1} << level) < n) ++level;
    return (lo & (n - 1)) == 0;
}

void path(NodeSource& nodes, std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Hash>& out) {
    const std::uint64_t n = hi - lo;
    if (n <= 1) return;
    const std::uint64_t k = split(n);
    if (m < k) {
        path(nodes, m, lo, lo + k, out);
        out.push_back(subtree_root(nodes, lo + k, hi));
    } else {
        path(nodes, m - k, lo + k, hi, out);
        out.push_back(subtree_root(nodes, lo, lo + k));
    }
}

void subproof(NodeSource& nodes, std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool b, std::vector<Hash>& out) {
    const std::uint64_t n = hi - lo;
    if (m == n) {
        if (!b) out.push_back(subtree_root(nodes, lo, hi));
        return;
    }
    const std::uint64_t k = split(n);
    if (m <= k) {
        subproof(nodes, m, lo, lo + k, b, out);
        out.push_back(subtree_root(nodes, lo + k, hi));
    } else {
        subproof(nodes, m - k, lo + k, hi, false, out);
        out.push_back(subtree_root(nodes, lo, lo + k));
    }
}

// Notes the nodes a computation reads (answering with zero hashes).
class Recorder final : public NodeSource {
public:
    std::vector<Ref> wanted;
    Hash node(unsigned level, std::uint64_t index) override {
        wanted.push_back({level, index});
        return Hash{};
    }
};

template <class F>
auto with_prefetch(NodeSource& nodes, F&& compute) {
    if (nodes.wants_prefetch()) {
        Recorder r;
        compute(r);
        nodes.prefetch(r.wanted);
    }
    return compute(nodes);
}

}  // namespace

Hash leaf_hash(std::string_view entry) { return sha256({std::string_view("\x00", 1), entry}); }
Hash node_hash(const Hash& l, const Hash& r) { return sha256({std::string_view("\x01", 1), bytes(l), bytes(r)}); }
Hash empty_root() { return sha256({}); }

std::string hex(const Hash& h) { return to_hex(h.data(), h.size()); }

bool from_hex(std::string_view t, Hash& out) {
    if (t.size() != 64) return false;
    auto v = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = v(t[2 * i]), lo = v(t[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}

Hash subtree_root(NodeSource& nodes, std::uint64_t lo, std::uint64_t hi) {
    unsigned level = 0;
    if (aligned_perfect(lo, hi - lo, level)) return nodes.node(level, lo >> level);
    const std::uint64_t k = split(hi - lo);
    return node_hash(subtree_root(nodes, lo, lo + k), subtree_root(nodes, lo + k, hi));
}

Hash root(NodeSource& nodes, std::uint64_t size) {
    if (size == 0) return empty_root();
    return with_prefetch(nodes, [&](NodeSource& s) { return subtree_root(s, 0, size); });
}

std::vector<Hash> inclusion_proof(NodeSource& nodes, std::uint64_t index, std::uint64_t size) {
    if (index >= size) throw std::out_of_range("inclusion proof: index not below size");
    return with_prefetch(nodes, [&](NodeSource& s) {
        std::vector<Hash> out;
        path(s, index, 0, size, out);
        return out;
    });
}

std::vector<Hash> consistency_proof(NodeSource& nodes, std::uint64_t from, std::uint64_t to) {
    if (from > to) throw std::out_of_range("consistency proof: from after to");
    if (from == 0 || from == to) return {};
    return with_prefetch(nodes, [&](NodeSource& s) {
        std::vector<Hash> out;
        subproof(s, from, 0, to, true, out);
        return out;
    });
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof, const Hash& root) {
    if (index >= size) return false;
    std::uint64_t fn = index, sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : proof) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            r = node_hash(p, r);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t from, std::uint64_t to, const Hash& from_root, const Hash& to_root, const std::vector<Hash>& proof) {
    if (from > to) return false;
    if (from == to) return proof.empty() && from_root == to_root;
    if (from == 0) return proof.empty();
    if (proof.empty()) return false;
    std::vector<Hash> p = proof;
    // If from is a power of two, the first node is from_root itself.
    if ((from & (from - 1)) == 0) p.insert(p.begin(), from_root);
    std::uint64_t fn = from - 1, sn = to - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = p[0], sr = p[0];
    for (std::size_t i = 1; i < p.size(); ++i) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            fr = node_hash(p[i], fr);
            sr = node_hash(p[i], sr);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            sr = node_hash(sr, p[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && fr == from_root && sr == to_root;
}

MemoryTree::MemoryTree(std::uint64_t removed, const std::vector<Hash>& edge) {
    if (edge.size() != static_cast<std::size_t>(std::popcount(removed)))
        throw std::invalid_argument("memory tree: " + std::to_string(edge.size()) + " edge nodes for a prefix of " + std::to_string(removed));
    // Level l holds, of the prefix, only its edge node ((removed >> l) - 1, where bit l is set).
    const unsigned top = removed == 0 ? 0 : static_cast<unsigned>(std::bit_width(removed));
    levels_.resize(top + 1);
    first_.resize(top + 1);
    auto next = edge.begin();
    for (unsigned l = top + 1; l-- > 0;) {
        const std::uint64_t bit = (removed >> l) & 1;
        first_[l] = (removed >> l) - bit;
        if (bit) levels_[l].push_back(*next++);
    }
}

void MemoryTree::append(const Hash& leaf) {
    if (levels_.empty()) {
        levels_.emplace_back();
        first_.push_back(0);
    }
    levels_[0].push_back(leaf);
    // Complete every subtree this leaf closes: a level whose count became even pairs its last two.
    for (std::size_t l = 0; (first_[l] + levels_[l].size()) % 2 == 0; ++l) {
        if (levels_.size() == l + 1) {
            levels_.emplace_back();
            first_.push_back((first_[l] + levels_[l].size()) / 2 - 1);
        }
        const auto& below = levels_[l];
        levels_[l + 1].push_back(node_hash(below[below.size() - 2], below.back()));
    }
}

Hash MemoryTree::node(unsigned level, std::uint64_t index) {
    if (level >= levels_.size() || index < first_[level] || index - first_[level] >= levels_[level].size())
        throw std::out_of_range("no such complete subtree");
    return levels_[level][index - first_[level]];
}

std::vector<NodeSource::Ref> CompactRange::edge_of(std::uint64_t size) {
    std::vector<NodeSource::Ref> out;
    for (unsigned level = 64; level-- > 0;)
        if ((size >> level) & 1) out.push_back({level, (size >> level) - 1});
    return out;
}

CompactRange::CompactRange(std::uint64_t size, std::vector<Hash> edge) : size_(size), edge_(std::move(edge)) {
    if (edge_.size() != static_cast<std::size_t>(std::popcount(size)))
        throw std::invalid_argument("compact range: " + std::to_string(edge_.size()) + " nodes for a log of " + std::to_string(size));
}

void CompactRange::append(const Hash& leaf, const Visitor& visit) {
    visit(0, size_, leaf);
    Hash h = leaf;
    std::uint64_t index = size_;
    unsigned level = 0;
    // Each trailing 1-bit of the old size is a complete subtree the new leaf's subtree merges with.
    while (index & 1) {
        h = node_hash(edge_.back(), h);
        edge_.pop_back();
        index >>= 1;
        ++level;
        visit(level, index, h);
    }
    edge_.push_back(h);
    ++size_;
}

Hash CompactRange::root() const {
    if (edge_.empty()) return empty_root();
    Hash h = edge_.back();
    for (std::size_t i = edge_.size() - 1; i-- > 0;) h = node_hash(edge_[i], h);
    return h;
}

}  // namespace dg::merkle
