// The queue between a replay's reader and its workers: bounded by sources, not by pieces.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "shoprules/host/piece_queue.hpp"

namespace shoprules::host {
namespace {

struct Piece {
  int source = 0, part = 0;
  bool opens = true, closes = true;
};

Piece part_of(int source, int part, int parts) {
  return {source, part, part == 0, part == parts - 1};
}

/// Queues a piece that must not wait.
void push_now(PieceQueue<Piece>& queue, Piece p) {
  ASSERT_TRUE(queue.push_for(p, std::chrono::milliseconds(0)));
}

/// Queues a piece, waiting as long as a test may for its place.
void push_waiting(PieceQueue<Piece>& queue, Piece p) {
  EXPECT_TRUE(queue.push_for(p, std::chrono::seconds(20)));  // under the ctest timeout
}

TEST(PieceQueue, ABatchInManyPiecesTakesOnePlace) {
  PieceQueue<Piece> queue(1);
  for (int part = 0; part < 8; ++part) push_now(queue, part_of(1, part, 8));  // none waits
  EXPECT_EQ(queue.held(), 1u);

  std::atomic<bool> pushed{false};
  std::thread reader([&] {
    push_waiting(queue, part_of(2, 0, 2));  // the one place is taken until source 1 is all out
    pushed = true;
    push_now(queue, part_of(2, 1, 2));
  });
  Piece p;
  for (int part = 0; part < 7; ++part) {
    ASSERT_TRUE(queue.pop(p));
    EXPECT_EQ(p.source, 1);
    EXPECT_EQ(p.part, part);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(pushed) << "a second source went in while the first still had a piece queued";
  ASSERT_TRUE(queue.pop(p));  // the last piece of source 1 gives its place to source 2
  EXPECT_EQ(p.part, 7);
  EXPECT_TRUE(p.closes);
  reader.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(queue.held(), 1u);
  for (int part = 0; part < 2; ++part) {
    ASSERT_TRUE(queue.pop(p));
    EXPECT_EQ(p.source, 2);
    EXPECT_EQ(p.part, part);
  }
  EXPECT_EQ(queue.held(), 0u);
  queue.close();
  EXPECT_FALSE(queue.pop(p));
}

TEST(PieceQueue, WholePiecesTakeAPlaceEach) {
  PieceQueue<Piece> queue(2);
  push_now(queue, {1});
  push_now(queue, {2});
  EXPECT_EQ(queue.held(), 2u);
  std::atomic<bool> pushed{false};
  std::thread reader([&] {
    push_waiting(queue, {3});
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(pushed) << "a third piece went into a queue of two";
  Piece p;
  ASSERT_TRUE(queue.pop(p));
  EXPECT_EQ(p.source, 1);
  reader.join();
  EXPECT_TRUE(pushed);
  queue.close();  // what is queued is still handed out after close
  ASSERT_TRUE(queue.pop(p));
  EXPECT_EQ(p.source, 2);
  ASSERT_TRUE(queue.pop(p));
  EXPECT_EQ(p.source, 3);
  EXPECT_FALSE(queue.pop(p));
}

TEST(PieceQueue, PushForGivesUpWhenNoPlaceComesAndKeepsThePiece) {
  PieceQueue<Piece> queue(1);
  push_now(queue, {1});
  Piece next{2};
  EXPECT_FALSE(queue.push_for(next, std::chrono::milliseconds(10)));
  EXPECT_EQ(next.source, 2);  // still the caller's, to push again
  EXPECT_EQ(queue.held(), 1u);
  Piece p;
  ASSERT_TRUE(queue.pop(p));
  EXPECT_TRUE(queue.push_for(next, std::chrono::milliseconds(10)));
  ASSERT_TRUE(queue.pop(p));
  EXPECT_EQ(p.source, 2);
  Piece first = part_of(3, 0, 2), last = part_of(3, 1, 2);
  EXPECT_TRUE(queue.push_for(first, std::chrono::milliseconds(0)));  // takes the one place
  EXPECT_TRUE(queue.push_for(last, std::chrono::milliseconds(0)));   // a later piece never waits
  EXPECT_EQ(queue.held(), 1u);
}

}  // namespace
}  // namespace shoprules::host
