// Reading events from Arrow batches built by hand: typed columns, nulls as absent fields, the
// schema checked by column name, malformed arrays refused, the release callbacks called once.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "shoprules/host/arrow_abi.hpp"
#include "shoprules/host/event_arrow.hpp"

namespace shoprules::test {
namespace {

int g_released = 0;

/// Schemas and arrays of a small batch: id, type, at (timestamp[s]), customer {id, household}.
class Batch {
 public:
  explicit Batch(std::string at_format = "tss:UTC") : at_format_(std::move(at_format)) {}

  std::vector<std::int32_t> id_offsets = {0, 2, 4};
  std::string ids = "e1e2";
  std::vector<std::int32_t> type_offsets = {0, 10, 20};
  std::string types = "note.addednote.added";
  std::vector<std::int64_t> at = {1700000000, 1700000100};
  std::vector<std::uint8_t> customer_valid = {0b01};  // row 1: no customer
  std::vector<std::int32_t> cid_offsets = {0, 2, 2};
  std::string cids = "c1";
  std::vector<std::int32_t> household_offsets = {0, 2, 2};
  std::vector<std::int32_t> member_offsets = {0, 1, 2};
  std::string members = "ab";

  ArrowSchema* schema() {
    auto* kid_item = leaf("u", "item");
    auto* household = node("+l", "household", {kid_item});
    auto* customer = node("+s", "customer", {leaf("u", "id"), household});
    return node("+s", "",
                {leaf("u", "id"), leaf("u", "type"), leaf(at_format_.c_str(), "at"), customer},
                true);
  }

  ArrowArray* array() {
    const std::int64_t n = 2;
    auto* item = arr(2, 0, {nullptr, member_offsets.data(), members.data()}, {});
    auto* household = arr(n, 0, {nullptr, household_offsets.data()}, {item});
    auto* customer = arr(n, 1, {customer_valid.data()},
                         {arr(n, 0, {nullptr, cid_offsets.data(), cids.data()}, {}), household});
    return arr(n, 0, {nullptr},
               {arr(n, 0, {nullptr, id_offsets.data(), ids.data()}, {}),
                arr(n, 0, {nullptr, type_offsets.data(), types.data()}, {}),
                arr(n, 0, {nullptr, at.data()}, {}), customer},
               true);
  }

 private:
  static void release_schema(ArrowSchema* s) {
    ++g_released;
    s->release = nullptr;
  }
  static void release_array(ArrowArray* a) {
    ++g_released;
    a->release = nullptr;
  }

  ArrowSchema* leaf(const char* format, const char* name) { return node(format, name, {}); }
  ArrowSchema* node(const char* format, const char* name, std::vector<ArrowSchema*> kids,
                    bool root = false) {
    schema_kids_.push_back(std::move(kids));
    auto& s = schemas_.emplace_back();
    s = ArrowSchema{format,
                    name,
                    nullptr,
                    ARROW_FLAG_NULLABLE,
                    static_cast<std::int64_t>(schema_kids_.back().size()),
                    schema_kids_.back().data(),
                    nullptr,
                    root ? release_schema : nullptr,
                    nullptr};
    return &s;
  }
  ArrowArray* arr(std::int64_t length, std::int64_t nulls, std::vector<const void*> buffers,
                  std::vector<ArrowArray*> kids, bool root = false) {
    buffers_.push_back(std::move(buffers));
    array_kids_.push_back(std::move(kids));
    auto& a = arrays_.emplace_back();
    a = ArrowArray{length,
                   nulls,
                   0,
                   static_cast<std::int64_t>(buffers_.back().size()),
                   static_cast<std::int64_t>(array_kids_.back().size()),
                   buffers_.back().data(),
                   array_kids_.back().data(),
                   nullptr,
                   root ? release_array : nullptr,
                   nullptr};
    return &a;
  }

  std::string at_format_;
  std::deque<ArrowSchema> schemas_;
  std::deque<ArrowArray> arrays_;
  std::deque<std::vector<ArrowSchema*>> schema_kids_;
  std::deque<std::vector<ArrowArray*>> array_kids_;
  std::deque<std::vector<const void*>> buffers_;
};

TEST(Arrow, ReadsTypedColumnsAndNullSectionsAsAbsent) {
  Batch b;
  g_released = 0;
  ArrowSchema* schema = b.schema();
  ArrowArray* array = b.array();
  {
    host::ArrowEventBatch batch(schema, array);
    EXPECT_EQ(schema->release, nullptr);  // moved: the caller's copies are released
    EXPECT_EQ(array->release, nullptr);
    ASSERT_EQ(batch.rows(), 2);
    Event ev;
    ASSERT_EQ(batch.read(0, ev), "");
    EXPECT_EQ(ev.id, "e1");
    EXPECT_EQ(ev.at.seconds, 1700000000);
    EXPECT_TRUE(ev.has_customer);
    EXPECT_EQ(ev.customer.id, "c1");
    ASSERT_EQ(ev.customer.household.size(), 2u);
    EXPECT_EQ(ev.customer.household[1], "b");
    EXPECT_EQ(ev.customer.tier, "member");  // a column the batch lacks: the default
    ASSERT_EQ(batch.read(1, ev), "");
    EXPECT_EQ(ev.id, "e2");
    EXPECT_FALSE(ev.has_customer);
    EXPECT_EQ(g_released, 0);
  }
  EXPECT_EQ(g_released, 2);  // schema and array, once each
}

TEST(Arrow, AColumnOfTheWrongTypeIsNamed) {
  Batch b("l");
  ArrowSchema* schema = b.schema();
  ArrowArray* array = b.array();
  try {
    host::ArrowEventBatch batch(schema, array);
    FAIL() << "accepted an int64 time";
  } catch (const host::ArrowSchemaError& e) {
    EXPECT_STREQ(e.what(),
                 "column at: expected a timestamp or an ISO-8601 string, got int64 (Arrow "
                 "format \"l\")");
  }
}

TEST(Arrow, MalformedOffsetsAreRefusedNotRead) {
  Batch b;
  b.household_offsets = {0, 2, 1};  // backwards
  ArrowSchema* schema = b.schema();
  ArrowArray* array = b.array();
  EXPECT_THROW(host::ArrowEventBatch(schema, array), host::ArrowSchemaError);
  Batch c;
  c.household_offsets = {0, 2, 9};  // past the items
  schema = c.schema();
  array = c.array();
  EXPECT_THROW(host::ArrowEventBatch(schema, array), host::ArrowSchemaError);
}

TEST(Arrow, AListOverItsLimitIsABadRow) {
  Batch b;
  b.members = std::string(101, 'm');
  b.member_offsets.assign(102, 0);
  for (int i = 0; i < 102; ++i) b.member_offsets[i] = i;
  b.household_offsets = {0, 101, 101};
  ArrowSchema* schema = b.schema();
  ArrowArray* array = b.array();
  array->children[3]->children[1]->children[0]->length = 101;
  host::ArrowEventBatch batch(schema, array);
  Event ev;
  EXPECT_EQ(batch.read(0, ev), "customer.household: expected at most 100 items, got 101");
  EXPECT_EQ(batch.read(1, ev), "");
}

TEST(Arrow, TextIsUtf8RowByRowEvenWhenTheColumnIsAsAWhole) {
  // The column's bytes are valid UTF-8 together, but the two items split one character.
  Batch split;
  split.members = "\xC3\xA9";  // é
  ArrowSchema* schema = split.schema();
  ArrowArray* array = split.array();
  {
    host::ArrowEventBatch batch(schema, array);
    Event ev;
    EXPECT_EQ(batch.read(0, ev),
              "customer.household[0]: expected a string, got text that is not UTF-8");
  }
  // Whole characters in each item read as they are.
  Batch whole;
  whole.members = "\xC3\xA9\xC3\xBC";  // éü
  whole.member_offsets = {0, 2, 4};
  schema = whole.schema();
  array = whole.array();
  {
    host::ArrowEventBatch batch(schema, array);
    Event ev;
    ASSERT_EQ(batch.read(0, ev), "");
    ASSERT_EQ(ev.customer.household.size(), 2u);
    EXPECT_EQ(ev.customer.household[0], "\xC3\xA9");
    EXPECT_EQ(ev.customer.household[1], "\xC3\xBC");
  }
  // A column with one bad row: that row is bad, the others read.
  Batch bad;
  bad.ids =
      "\xFF"
      "1e2";
  bad.id_offsets = {0, 2, 4};
  schema = bad.schema();
  array = bad.array();
  {
    host::ArrowEventBatch batch(schema, array);
    Event ev;
    EXPECT_EQ(batch.read(0, ev), "id: expected a string, got text that is not UTF-8");
    ASSERT_EQ(batch.read(1, ev), "");
    EXPECT_EQ(ev.id, "e2");
  }
}

}  // namespace
}  // namespace shoprules::test
