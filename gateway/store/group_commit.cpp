#include "store/group_commit.hpp"

#include <future>

namespace dg {

void BulkChannel::put(std::vector<StoredRecord>&& chunk) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return chunks_.size() < kMaxChunks; });
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
}

std::optional<std::vector<StoredRecord>> BulkChannel::next() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !chunks_.empty() || finished_; });
    if (chunks_.empty()) return std::nullopt;
    auto chunk = std::move(chunks_.front());
    chunks_.pop_front();
    cv_.notify_all();
    return chunk;
}

void BulkChannel::finish(bool c, std::vector<std::string> a, std::optional<MessageRow> m, CommitCallback d) {
    std::lock_guard lock(mu_);
    commit = c;
    audit = std::move(a);
    message = std::move(m);
    done = std::move(d);
    finished_ = true;
    cv_.notify_all();
}

namespace {

class ChannelBulk final : public BulkWrite {
public:
    explicit ChannelBulk(std::shared_ptr<BulkChannel> c) : c_(std::move(c)) {}
    ~ChannelBulk() override {
        if (!finished_) finish(false, {}, std::nullopt, [](const CommitResult&) {});
    }
    void add(std::vector<StoredRecord>&& chunk) override { c_->put(std::move(chunk)); }
    void finish(bool commit, std::vector<std::string> audit, std::optional<MessageRow> message, CommitCallback done) override {
        finished_ = true;
        c_->finish(commit, std::move(audit), std::move(message), std::move(done));
    }

private:
    std::shared_ptr<BulkChannel> c_;
    bool finished_ = false;
};

struct ClosedBulk final : BulkWrite {
    void add(std::vector<StoredRecord>&&) override {}
    void finish(bool, std::vector<std::string>, std::optional<MessageRow>, CommitCallback done) override { done({false, false, "store is closed"}); }
};

}  // namespace

GroupCommit::GroupCommit(std::size_t max_group, std::size_t max_queue, CommitGroup group, CommitBulk bulk)
    : max_group_(max_group), max_queue_(max_queue), commit_group_(std::move(group)), commit_bulk_(std::move(bulk)) {
    thread_ = std::thread([this] { run(); });
}

GroupCommit::~GroupCommit() { close(); }

void GroupCommit::submit(WriteBatch batch, CommitCallback done) {
    bool full = false;
    {
        std::lock_guard lock(mu_);
        full = queue_.size() >= max_queue_;
        if (!closing_ && !full) {
            queue_.push_back({Pending{std::move(batch), std::move(done)}, nullptr});
            cv_.notify_one();
            return;
        }
    }
    if (full) return done({false, false, "the write queue is full", true});
    done({false, false, "store is closed"});
}

std::unique_ptr<BulkWrite> GroupCommit::begin_bulk() {
    auto channel = std::make_shared<BulkChannel>();
    std::lock_guard lock(mu_);
    if (closing_) return std::make_unique<ClosedBulk>();
    queue_.push_back({std::nullopt, channel});
    cv_.notify_one();
    return std::make_unique<ChannelBulk>(channel);
}

void GroupCommit::probe() {
    std::promise<void> done;
    auto committed = done.get_future();
    submit({}, [&done](const CommitResult&) { done.set_value(); });
    committed.wait();
}

void GroupCommit::close() {
    {
        std::lock_guard lock(mu_);
        closing_ = true;
        cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
}

void GroupCommit::run() {
    std::vector<Pending> group;
    for (;;) {
        std::shared_ptr<BulkChannel> bulk;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
            if (queue_.empty()) return;
            if (queue_.front().bulk) {
                bulk = std::move(queue_.front().bulk);
                queue_.pop_front();
            } else {
                while (!queue_.empty() && !queue_.front().bulk && group.size() < max_group_) {
                    group.push_back(std::move(*queue_.front().pending));
                    queue_.pop_front();
                }
            }
        }
        if (bulk) {
            const CommitResult r = commit_bulk_(*bulk);
            healthy_.store(r.ok || r.duplicate);
            if (bulk->done) bulk->done(r);
            continue;
        }
        const std::vector<CommitResult> results = commit_group_(group);
        bool any_ok = group.empty();
        for (const auto& r : results) any_ok = any_ok || r.ok || r.duplicate;
        healthy_.store(any_ok);
        for (std::size_t i = 0; i < group.size(); ++i) group[i].done(results[i]);
        group.clear();
    }
}

}  // namespace dg
