#pragma once
// Giving freed heap back to the system after a large message. glibc keeps what a 100 000-record
// message freed (its body, receipt and audit entry) in its arenas, so the next large message
// starts 40 MB higher; trimmed, it starts where the first did (P3's memory bound holds for a
// delivery that follows another). The request path only marks; the service's housekeeping thread
// trims, once a second at most, off every request's path.
#include <atomic>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dg::memory {

inline std::atomic<bool>& large_message_done() {
    static std::atomic<bool> done{false};
    return done;
}

// A large message was answered: its buffers are freed (or about to be).
inline void mark_large_message_done() { large_message_done().store(true, std::memory_order_relaxed); }

// Returns freed heap to the system when a large message was answered since the last call.
inline void trim_after_large_messages() {
    if (!large_message_done().exchange(false, std::memory_order_relaxed)) return;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace dg::memory
