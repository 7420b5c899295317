#pragma once
#include <vector>

#include "adapters/canonical.hpp"

namespace dg::test {

// Records what a reader hands over, and checks the envelope comes before any record.
struct CollectingSink : BerichtSink {
    Envelope envelope;
    int envelopes = 0;
    bool record_before_envelope = false;
    std::vector<Melding> meldingen;
    void on_envelope(const Envelope& e) override {
        envelope = e;
        ++envelopes;
    }
    void on_melding(Melding&& m) override {
        m.check_structure();
        if (envelopes == 0) record_before_envelope = true;
        meldingen.push_back(std::move(m));
    }
};

inline bool has_code(const Problems& ps, const std::string& code) {
    for (const auto& p : ps)
        if (p.code == code) return true;
    return false;
}

}  // namespace dg::test
