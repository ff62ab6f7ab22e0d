// The shared-memory channel between the host and one worker, and the futex waits on it.
#pragma once

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace shoprules::host::isolation {

/// `response` once the worker is gone: the template reaped it and wrote its wait status.
inline constexpr std::uint32_t kDied = 0xFFFFFFFFu;

/// The head of the shared area. Both sides map the same memfd; every field the other side writes
/// is an atomic, and the areas after the head are handed over by `request` and `response`.
struct ChannelHead {
  std::atomic<std::uint32_t> request{0};   ///< the host's request number; the worker waits on it
  std::atomic<std::uint32_t> response{0};  ///< the number answered, or kDied; the host waits on it
  std::atomic<std::uint32_t> worker_waiting{0};
  std::atomic<std::uint32_t> host_waiting{0};
  std::atomic<std::int32_t> wait_status{0};     ///< set with kDied: how the worker ended
  std::atomic<std::uint32_t> out_of_memory{0};  ///< the worker's allocation failed
  std::atomic<std::uint32_t> completed{0};      ///< requests of the batch answered so far
  std::atomic<std::uint32_t> status{0};         ///< 0 ok, 1 unreadable request, 2 output too large
  std::uint32_t config_size = 0;
  std::uint32_t request_size = 0;
  std::uint32_t response_size = 0;
};
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

inline constexpr std::size_t kHeadBytes = 4096;
inline constexpr std::size_t kConfigBytes = 1 << 20;
inline constexpr std::size_t kRequestBytes = 8 << 20;
inline constexpr std::size_t kResponseBytes = 16 << 20;
inline constexpr std::size_t kChannelBytes =
    kHeadBytes + kConfigBytes + kRequestBytes + kResponseBytes;

inline char* config_area(void* base) {
  return static_cast<char*>(base) + kHeadBytes;
}
inline char* request_area(void* base) {
  return config_area(base) + kConfigBytes;
}
inline char* response_area(void* base) {
  return request_area(base) + kRequestBytes;
}

/// Shared (not private) futex ops: the word lives in memory two processes map.
inline void futex_wake(std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}
inline void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                       const struct timespec* timeout) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, seen, timeout, nullptr,
          0);
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Stores `value` into `word` and wakes the other side if it went to sleep on it. Sequentially
/// consistent on both sides (here and in wait_for), so a sleeper never misses its wake-up.
inline void publish(std::atomic<std::uint32_t>& word, std::uint32_t value,
                    std::atomic<std::uint32_t>& other_waiting) {
  word.store(value, std::memory_order_seq_cst);
  if (other_waiting.load(std::memory_order_seq_cst)) futex_wake(word);
}

/// Waits until `word` differs from `seen`: spins for `spin` (yielding the core every few
/// microseconds, so that a spin never keeps the other side off it), then sleeps on the futex,
/// waking at least every `slice` to ask `keep_waiting()` (a deadline, or whether the parent lives).
/// Returns the new value, or `seen` when keep_waiting() said stop.
template <class KeepWaiting>
std::uint32_t wait_for(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                       std::atomic<std::uint32_t>& waiting, std::chrono::nanoseconds spin,
                       std::chrono::nanoseconds slice, KeepWaiting keep_waiting) {
  using clock = std::chrono::steady_clock;
  std::uint32_t v = word.load(std::memory_order_acquire);
  if (v != seen) return v;
  const auto spin_end = clock::now() + spin;
  for (unsigned i = 1;; ++i) {
    cpu_relax();
    v = word.load(std::memory_order_acquire);
    if (v != seen) return v;
    if (i % 64 == 0) {
      if (clock::now() >= spin_end) break;
      // The other side may be waiting for this very core (a busy machine): let it have it. On
      // a core nobody else wants this returns at once, and the spin goes on.
      sched_yield();
    }
  }
  for (;;) {
    waiting.store(1, std::memory_order_seq_cst);
    v = word.load(std::memory_order_seq_cst);
    if (v != seen) break;
    std::chrono::nanoseconds left = slice;
    if (!keep_waiting(left)) break;
    struct timespec ts {
      static_cast<time_t>(left.count() / 1000000000), static_cast<long>(left.count() % 1000000000)
    };
    futex_wait(word, seen, &ts);  // EINTR and spurious wake-ups: the loop looks again
    v = word.load(std::memory_order_acquire);
    if (v != seen) break;
  }
  waiting.store(0, std::memory_order_relaxed);
  return word.load(std::memory_order_acquire);
}

}  // namespace shoprules::host::isolation
