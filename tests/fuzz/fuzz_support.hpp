#pragma once
// Shared by the fuzz targets: the dev configuration loaded once (policies, parties, regions,
// schemas), as the server loads it.
#include <cstdint>
#include <memory>

#include "app/config.hpp"
#include "app/service.hpp"
#include "test_support.hpp"

namespace dg::fuzz {

inline const Config& config() {
    static const Config c = load_config(test::source_dir() / "gateway/config/dev.json");
    return c;
}

// Takes the records a reader hands over and writes each as canonical JSON (as the store would).
struct CountingSink final : BerichtSink {
    std::size_t records = 0;
    void on_envelope(const Envelope&) override {}
    void on_melding(Melding&& m) override {
        ++records;
        m.check_structure();
        (void)melding_to_json(m);
    }
};

inline const Snapshot& snapshot() {
    static const std::shared_ptr<const Snapshot> s = load_snapshot(config());
    return *s;
}

}  // namespace dg::fuzz
