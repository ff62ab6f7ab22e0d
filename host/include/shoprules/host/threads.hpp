// How many worker threads a replay or a batch of evaluations starts.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>

#include "shoprules/host/limits.hpp"

namespace shoprules::host {

/// Why `asked` is not a thread count: it is below 0 or over kMaxThreads.
inline std::string threads_out_of_range(long long asked) {
  return "threads: expected 0 (every core) to " + std::to_string(kMaxThreads) + ", got " +
         std::to_string(asked);
}

/// `asked` threads, or one per core for 0. std::invalid_argument over kMaxThreads: a thread
/// count that large is a mistake, and starting that many would fail part-way or exhaust memory.
inline unsigned worker_threads(unsigned asked) {
  if (asked > kMaxThreads) throw std::invalid_argument(threads_out_of_range(asked));
  if (asked) return asked;
  return std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
}

/// The error for a worker thread the system would not start (a limit on processes or memory),
/// thrown once the threads already started are stopped.
inline std::runtime_error thread_refused(std::size_t started, unsigned wanted, const char* why) {
  return std::runtime_error("could not start worker thread " + std::to_string(started + 1) +
                            " of " + std::to_string(wanted) + ": " + why);
}

}  // namespace shoprules::host
