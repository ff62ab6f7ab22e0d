// The bounded queue between a replay's reader and its workers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace shoprules::host {

/// A bounded queue: the reader waits when the workers fall behind, so memory stays flat. It holds
/// at most `max` sources of memory (a chunk of lines, or a batch however many pieces it is cut
/// into): counting a batch's pieces one by one would leave less than a batch queued while the
/// reader decodes the next one, and the workers idle. A piece says whether it `opens` a source
/// (it waits for a place, and takes it) and whether it `closes` one (popping it gives the place
/// back); a source's pieces are pushed in order, first to last.
template <typename Piece>
class PieceQueue {
 public:
  explicit PieceQueue(std::size_t max) : max_(max) {}

  /// Queues `p`, waiting at most `timeout` for a place when it opens a source: false, with `p`
  /// left as it was, if none came (the reader then hears the caller, who may cancel, before it
  /// waits again).
  template <class Rep, class Period>
  bool push_for(Piece& p, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mutex_);
    if (p.opens) {
      if (!space_.wait_for(lock, timeout, [&] { return held_ < max_; })) return false;
      ++held_;
    }
    pieces_.push_back(std::move(p));
    ready_.notify_one();
    return true;
  }

  /// The next piece, waiting for one; false once the queue is closed and empty.
  bool pop(Piece& p) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !pieces_.empty() || closed_; });
    if (pieces_.empty()) return false;
    p = std::move(pieces_.front());
    pieces_.pop_front();
    if (p.closes) {
      --held_;
      space_.notify_one();
    }
    return true;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

  /// Sources with a piece still queued.
  std::size_t held() {
    std::lock_guard lock(mutex_);
    return held_;
  }

 private:
  const std::size_t max_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<Piece> pieces_;
  std::size_t held_ = 0;
  bool closed_ = false;
};

}  // namespace shoprules::host
