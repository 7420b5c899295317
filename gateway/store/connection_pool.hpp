#pragma once
// Read connections of a store, opened as needed up to a maximum and lent out one at a time.
// `reusable` decides on return whether a connection goes back into the pool and, again, on
// borrow whether an idle one is still fit to lend (a broken one is closed instead, and a new one
// is opened when needed: a server restart costs no failed request).
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace dg {

template <class Conn>
class ConnectionPool {
public:
    using Open = std::function<std::unique_ptr<Conn>()>;
    using Reusable = std::function<bool(const Conn&)>;

    ConnectionPool(
        std::size_t max, Open open, Reusable reusable = [](const Conn&) { return true; })
        : max_(max), open_(std::move(open)), reusable_(std::move(reusable)) {}

    class Lease {
    public:
        Lease(ConnectionPool& p, std::unique_ptr<Conn> c) : pool_(p), c_(std::move(c)) {}
        Lease(const Lease&) = delete;
        ~Lease() { pool_.give_back(std::move(c_)); }
        Conn& operator*() const { return *c_; }
        Conn* operator->() const { return c_.get(); }

    private:
        ConnectionPool& pool_;
        std::unique_ptr<Conn> c_;
    };

    // Waits while every connection is lent out and no more may be opened; throws when opening fails.
    Lease borrow() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !free_.empty() || opened_ < max_; });
        while (!free_.empty()) {
            auto c = std::move(free_.back());
            free_.pop_back();
            if (reusable_(*c)) return Lease(*this, std::move(c));
            --opened_;
        }
        ++opened_;
        lock.unlock();
        try {
            return Lease(*this, open_());
        } catch (...) {
            std::lock_guard relock(mu_);
            --opened_;
            cv_.notify_one();
            throw;
        }
    }

private:
    void give_back(std::unique_ptr<Conn> c) {
        std::lock_guard lock(mu_);
        if (c && reusable_(*c)) free_.push_back(std::move(c));
        else --opened_;
        cv_.notify_one();
    }

    std::size_t max_;
    Open open_;
    Reusable reusable_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Conn>> free_;
    std::size_t opened_ = 0;
};

}  // namespace dg
