// P5: audit log speed. Appends N entries in batches (group commit, Merkle subtrees included),
// verifies the whole log as `audit verify` does, and times inclusion proofs.
// usage: audit_bench DIR [N] [STORE-URL]   prints JSON lines; DIR (keys, and the SQLite store
// unless STORE-URL names another, which must be empty) is emptied first
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>
#include <random>

#include "app/audit_verify.hpp"
#include "audit/audit_entry.hpp"
#include "audit/signer.hpp"
#include "store/record_store.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: audit_bench DIR [N]\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const std::uint64_t n = argc > 2 ? std::stoull(argv[2]) : 1000000;
    const std::string url = argc > 3 ? argv[3] : "sqlite:" + dir.string();
    const std::string kind = url.substr(0, url.find(':'));
    std::filesystem::remove_all(dir);
    using clock = std::chrono::steady_clock;
    auto store = dg::open_store(url);
    dg::AuditEvent e;
    e.time = "2026-11-23T09:15:00.000Z";
    e.action = "POST /v1/berichten";
    e.party_oin = "00000099000000000201";
    e.party_role = "school";
    e.outcome = "allowed";
    e.status = 202;
    e.subjects = {"ps:60243f172c1bb1d397d328a2f11d3ff0fc348b3f198622f2e4f3caa6730efbec"};
    const std::uint64_t batch = 1000;
    const auto t0 = clock::now();
    std::vector<std::future<dg::CommitResult>> pending;
    for (std::uint64_t done = 0; done < n; done += batch) {
        dg::WriteBatch b;
        for (std::uint64_t i = done; i < std::min(n, done + batch); ++i) {
            e.trace_id = std::to_string(i);
            b.audit_entries.push_back(dg::canonical_json(e));
        }
        auto p = std::make_shared<std::promise<dg::CommitResult>>();
        pending.push_back(p->get_future());
        store->submit(std::move(b), [p](const dg::CommitResult& c) { p->set_value(c); });
        if (pending.size() > 8) {
            if (!pending.front().get().ok) return 1;
            pending.erase(pending.begin());
        }
    }
    for (auto& f : pending)
        if (!f.get().ok) return 1;
    const double append_s = std::chrono::duration<double>(clock::now() - t0).count();
    std::cout << "{\"scenario\":\"P5-append\",\"store\":\"" << kind << "\",\"entries\":" << n << ",\"seconds\":" << append_s
              << ",\"entriesPerSecond\":" << static_cast<long>(n / append_s) << "}\n";

    // A signed head, then the full verification.
    auto signer = dg::HeadSigner::from_key_file(dir / "audit-signing.key");
    auto nodes = store->audit().nodes();
    dg::SignedHead head{n, dg::merkle::hex(dg::merkle::root(*nodes, n)), "2026-11-23T09:16:00.000Z", {}, signer.key_id()};
    head.signature = signer.sign_base64(dg::signed_head_text(head.size, head.root, head.time));
    dg::WriteBatch hb;
    hb.head = head;
    std::promise<dg::CommitResult> hp;
    store->submit(std::move(hb), [&hp](const dg::CommitResult& c) { hp.set_value(c); });
    hp.get_future().get();

    std::mt19937_64 rng(42);
    std::vector<double> proof_ms;
    for (int i = 0; i < 1000; ++i) {
        const std::uint64_t index = rng() % n;
        const auto p0 = clock::now();
        auto proof = dg::merkle::inclusion_proof(*nodes, index, n);
        proof_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - p0).count());
    }
    std::sort(proof_ms.begin(), proof_ms.end());
    std::cout << "{\"scenario\":\"P5-inclusion-proof\",\"store\":\"" << kind << "\",\"entries\":" << n << ",\"p50ms\":" << proof_ms[500]
              << ",\"p99ms\":" << proof_ms[990] << "}\n";
    nodes.reset();
    store.reset();

    const auto v0 = clock::now();
    dg::StoreOptions read_only;
    read_only.read_only = true;
    const auto log = dg::open_store(url, read_only);
    const auto report = dg::verify_audit_log(log->audit(), {{signer.key_id(), signer.public_key_pem()}});
    const double verify_s = std::chrono::duration<double>(clock::now() - v0).count();
    std::cout << "{\"scenario\":\"P5-verify\",\"store\":\"" << kind << "\",\"entries\":" << report.entries
              << ",\"ok\":" << (report.ok ? "true" : "false") << ",\"seconds\":" << verify_s << "}\n";
    return report.ok ? 0 : 1;
}
