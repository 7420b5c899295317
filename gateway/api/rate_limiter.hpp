#pragma once
// Requests per party: a token bucket per caller (its OIN, or the certificate fingerprint of an
// unregistered caller), refilled at `rate` per second up to `burst`. One party over its rate is
// answered 429 with Retry-After; the others are not slowed by it.
#include <chrono>
#include <cmath>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dg {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

    // Takes a token; when none is left: false, and the whole seconds until there is one.
    bool take(const std::string& key, Clock::time_point now, int& retry_after_seconds) {
        if (rate_ <= 0) return true;  // off
        std::lock_guard lock(mu_);
        if (buckets_.size() > kMaxBuckets) forget_full(now);
        auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
        Bucket& b = it->second;
        if (!fresh) b.tokens = std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.last).count());
        b.last = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
        return false;
    }

private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    static constexpr std::size_t kMaxBuckets = 100000;
    // Buckets that would be full again carry no state worth keeping.
    void forget_full(Clock::time_point now) {
        for (auto it = buckets_.begin(); it != buckets_.end();)
            it = it->second.tokens + rate_ * std::chrono::duration<double>(now - it->second.last).count() >= burst_ ? buckets_.erase(it)
                                                                                                                    : std::next(it);
    }
    double rate_, burst_;
    std::mutex mu_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace dg
