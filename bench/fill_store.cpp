// fill_store: puts N synthetic records into a store through RecordStore (as the gateway would,
// in large transactions with an audit entry each), spread over the dev regions, gemeenten,
// berichttypen and statuses. For the caseload benchmark (P4) with a million records.
// usage: fill_store STORE-URL N     prints one JSON line
#include <chrono>
#include <future>
#include <iostream>

#include "audit/audit_entry.hpp"
#include "store/record_store.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: fill_store STORE-URL N\n";
        return 2;
    }
    const std::string url = argv[1];
    const long n = std::stol(argv[2]);
    auto store = dg::open_store(url);
    struct Place {
        const char *region, *name, *gemeente;
    };
    const Place places[] = {{"90", "Amsterdam-Diemen (test)", "0363"},
                            {"90", "Amsterdam-Diemen (test)", "0384"},
                            {"91", "Rijnmond (test)", "0599"},
                            {"91", "Rijnmond (test)", "0606"}};
    const char* types[] = {"verzuimmelding", "verzuimmelding", "verzuimmelding", "vsv-melding"};
    const char* statuses[] = {"geregistreerd", "geregistreerd", "in-behandeling", "afgesloten"};
    const auto t0 = std::chrono::steady_clock::now();
    constexpr long kChunk = 5000;
    for (long done = 0; done < n;) {
        auto bulk = store->begin_bulk();
        const long until = std::min(n, done + 50 * kChunk);
        for (; done < until;) {
            std::vector<dg::StoredRecord> rows;
            for (long i = done; i < std::min(until, done + kChunk); ++i) {
                dg::StoredRecord r;
                char id[33];
                std::snprintf(id, sizeof id, "%032lx", 0x0100000000000000L + i);
                r.id = id;
                const Place& p = places[i % 4];
                r.region = p.region;
                r.region_name = p.name;
                r.gemeente = p.gemeente;
                r.berichttype = types[(i / 4) % 4];
                r.status = statuses[(i / 16) % 4];
                r.sender_oin = "00000099000000000201";
                r.bericht_id = "FILL-" + std::to_string(i / 100);
                r.melding_id = "F-" + std::to_string(i);
                r.subject = "ps:" + std::to_string(i * 7919 % 1000003);
                r.received_at = "2026-11-2" + std::to_string(i * 10 / (n + 1)) + "T09:15:00.000Z";
                r.legal_basis = "Leerplichtwet 1969 art. 21/21a; WEB art. 8.1.8a";
                r.purpose = "dg-va-verzuimaanpak";
                r.policy_version = "sha256:bench";
                r.retention_until = "2031-11-23";
                r.data = R"({"leerling":{"bsn":"291417772","geboortedatum":"2012-04-01","woongemeente":")" + std::string(p.gemeente) +
                         R"("},"meldingId":"F-)" + std::to_string(i) +
                         R"(","school":{"brin":"12AB","vestiging":"00"},"verzuim":{"soort":"luxe","tot":"2026-10-23","van":"2026-10-19"}})";
                rows.push_back(std::move(r));
            }
            done += static_cast<long>(rows.size());
            bulk->add(std::move(rows));
        }
        dg::AuditEvent e;
        e.time = "2026-11-23T09:15:00.000Z";
        e.action = "fill_store";
        e.party_role = "system";
        e.outcome = "allowed";
        e.status = 202;
        std::promise<dg::CommitResult> p;
        bulk->finish(true, {dg::canonical_json(std::move(e))}, std::nullopt, [&p](const dg::CommitResult& c) { p.set_value(c); });
        const auto r = p.get_future().get();
        if (!r.ok) {
            std::cerr << "fill_store: " << r.error << "\n";
            return 1;
        }
    }
    store->close();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "{\"scenario\":\"P4-fill\",\"store\":\"" << url.substr(0, url.find(':')) << "\",\"records\":" << n << ",\"seconds\":" << s
              << ",\"recordsPerSecond\":" << static_cast<long>(n / s) << "}\n";
    return 0;
}
