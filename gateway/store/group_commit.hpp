#pragma once
// The writer thread both stores share: requests queue their WriteBatch, the thread takes up to
// max_group of them at a time and hands them to the store as one transaction (one fsync), then
// tells each request its own result. A large message streams in as a BulkChannel that the writer
// drains chunk by chunk while the request thread is still judging records.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/record_store.hpp"

namespace dg {

// Chunks of one large message on their way from the request thread to the writer; bounded, so the
// request thread waits when the writer is behind.
class BulkChannel {
public:
    static constexpr std::size_t kMaxChunks = 4;
    void put(std::vector<StoredRecord>&& chunk);
    // The next chunk, or nullopt once the message is finished and every chunk was taken.
    std::optional<std::vector<StoredRecord>> next();
    void finish(bool commit, std::vector<std::string> audit, std::optional<MessageRow> message, CommitCallback done);

    // Set by finish(); read by the writer after next() returned nullopt.
    bool commit = false;
    std::vector<std::string> audit;
    std::optional<MessageRow> message;
    CommitCallback done;

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::vector<StoredRecord>> chunks_;
    bool finished_ = false;
};

// The meldingIds of a batch's records, in order: what the store claims for their sender.
inline std::vector<std::string> melding_ids_of(const std::vector<StoredRecord>& records) {
    std::vector<std::string> ids;
    ids.reserve(records.size());
    for (const auto& r : records) ids.push_back(r.melding_id);
    return ids;
}

class GroupCommit {
public:
    struct Pending {
        WriteBatch batch;
        CommitCallback done;
    };
    // Runs on the writer thread: one transaction for the whole group, a result per request.
    using CommitGroup = std::function<std::vector<CommitResult>(std::vector<Pending>& group)>;
    // Runs on the writer thread: one large message; returns its result (done is called here).
    using CommitBulk = std::function<CommitResult(BulkChannel& bulk)>;

    GroupCommit(std::size_t max_group, std::size_t max_queue, CommitGroup group, CommitBulk bulk);
    ~GroupCommit();
    void submit(WriteBatch batch, CommitCallback done);
    std::unique_ptr<BulkWrite> begin_bulk();
    // Commits an empty transaction and waits for it: whether the store can be written again.
    void probe();
    // Commits what is queued, then stops the thread; later submits fail at once.
    void close();
    // The last transaction committed (or found a duplicate).
    bool healthy() const { return healthy_.load(); }

private:
    struct Item {
        std::optional<Pending> pending;
        std::shared_ptr<BulkChannel> bulk;
    };
    void run();

    std::size_t max_group_, max_queue_;
    CommitGroup commit_group_;
    CommitBulk commit_bulk_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool closing_ = false;
    std::atomic<bool> healthy_{true};
    std::thread thread_;
};

}  // namespace dg
