// Event reading: defaults, required fields by event type, and errors that name the field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "event-equal.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_keys.hpp"
#include "shoprules/host/event_line.hpp"
#include "shoprules/host/limits.hpp"
#include "shoprules/host/simulate.hpp"
#include "shoprules/host/time.hpp"
#include "shoprules/same_text.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

Event read(const json& j) {
  Event ev;
  host::read_event(j, ev);
  return ev;
}

/// "path: message" of the InvalidEventError reading `j` raises, or "".
std::string invalid(const json& j) {
  try {
    read(j);
  } catch (const host::InvalidEventError& e) {
    return e.path() + " | " + e.what();
  }
  return "";
}

TEST(SameText, AgreesWithEqualityAtEveryLengthAndByte) {
  for (std::size_t n = 0; n <= 24; ++n) {
    const std::string a(n, 'k');
    EXPECT_TRUE(same_text(a, a.substr()));
    EXPECT_FALSE(same_text(a, a + "k"));
    for (std::size_t i = 0; i < n; ++i) {  // one byte different, wherever it is
      std::string b = a;
      b[i] = 'q';
      EXPECT_FALSE(same_text(a, b)) << n << " " << i;
    }
  }
}

TEST(EventKeys, KeyOfAgreesWithALinearSearch) {
  using host::Key;
  const auto linear = [](std::string_view text) -> std::optional<Key> {
    for (std::size_t k = 0; k < host::kKeyCount; ++k)
      if (text == host::kKeyNames[k]) return static_cast<Key>(k);
    return std::nullopt;
  };
  std::vector<std::string> texts = {"", "a", "Id", std::string(30, 'a'), std::string("id\0", 3)};
  for (std::size_t k = 0; k < host::kKeyCount; ++k) {
    const std::string name = host::kKeyNames[k];
    EXPECT_EQ(host::key_of(name), static_cast<Key>(k)) << name;
    texts.push_back(name + "s");
    texts.push_back(name.substr(0, name.size() - 1));
    for (std::size_t i = 0; i < name.size(); ++i)  // each byte changed in turn
      for (char c : {'x', '_', '0', 'A'}) {
        std::string other = name;
        other[i] = c;
        texts.push_back(other);
      }
  }
  for (const std::string& text : texts) EXPECT_EQ(host::key_of(text), linear(text)) << text;
  EXPECT_EQ(host::key_of("orders"), Key::orders);
  EXPECT_EQ(host::key_of("returns"), Key::returns);
  EXPECT_EQ(host::key_of("goodwill_last_90d"), Key::goodwill_last_90d);
  EXPECT_EQ(host::key_of("goodwill_last_90x"), std::nullopt);
}

TEST(Event, ReadsAnOrderWithDefaults) {
  json j = order_event("e", 1000, 3);
  Event ev = read(j);
  EXPECT_EQ(ev.kind, EventType::OrderPlaced);
  EXPECT_EQ(ev.store, "");  // the config's main store
  EXPECT_EQ(ev.customer.tier, "member");
  EXPECT_FALSE(ev.customer.vip);
  ASSERT_EQ(ev.customer.household.size(), 2u);
  EXPECT_EQ(ev.order.shipping, Shipping::Standard);
  EXPECT_EQ(ev.order.subtotal, 3000);
  EXPECT_FALSE(ev.order.lines[0].final_sale);
  EXPECT_FALSE(ev.has_shipment);
  EXPECT_EQ(ev.at.seconds, host::days_from_civil(2026, 11, 23) * 86400 + 10 * 3600);
}

TEST(Event, NamesTheBadField) {
  json j = order_event();
  j["order"]["lines"].push_back({{"sku", "b"}, {"price", 1}, {"qty", 1}});
  j["order"]["lines"].push_back({{"sku", "c"}, {"price", -1}, {"qty", 1}});
  EXPECT_EQ(invalid(j),
            "order.lines[2].price | order.lines[2].price: expected a non-negative integer (minor "
            "units), got -1");

  j = order_event();
  j["order"]["lines"][0]["qty"] = 0;
  EXPECT_EQ(invalid(j), "order.lines[0].qty | order.lines[0].qty: expected an integer >= 1, got 0");

  j = order_event();
  j["order"]["lines"][0]["price"] = 49.95;
  EXPECT_NE(invalid(j).find("expected a non-negative integer (minor units), got 49.95"),
            std::string::npos);

  j = order_event();
  j["at"] = "yesterday";
  EXPECT_NE(invalid(j).find("at | at: expected an ISO-8601 time"), std::string::npos);

  j = order_event();
  j["order"]["shipping"] = "drone";
  EXPECT_EQ(invalid(j),
            "order.shipping | order.shipping: expected one of standard, expedited, overnight, got "
            "\"drone\"");

  j = order_event();
  j["customer"]["vip"] = "yes";
  EXPECT_EQ(invalid(j), "customer.vip | customer.vip: expected true or false, got \"yes\"");

  EXPECT_EQ(invalid(json::array()), " | expected an event object, got a list");
}

TEST(Event, RequiresTheSectionsItsTypeNeeds) {
  json j = order_event();
  j.erase("order");
  EXPECT_EQ(invalid(j), "order | order: is required for a order.placed event");

  j = order_event();
  j.erase("id");
  EXPECT_EQ(invalid(j), "id | id: is required");

  j = order_event();
  j["customer"].erase("id");
  EXPECT_EQ(invalid(j), "customer.id | customer.id: is required");

  j = order_event();
  j["order"].erase("currency");
  EXPECT_EQ(invalid(j), "order.currency | order.currency: is required");

  j = return_event("2026-06-01", "2026-06-10");
  j["order"]["delivered_at"] = nullptr;
  EXPECT_EQ(invalid(j), "order.delivered_at | order.delivered_at: is required");

  j = return_event("2026-06-01", "2026-06-10");
  j["return"].erase("lines");
  EXPECT_EQ(invalid(j), "return.lines | return.lines: is required");

  j = {{"id", "e"},
       {"type", "shipment.exception"},
       {"at", "2026-01-01"},
       {"customer", {{"id", "c"}}}};
  EXPECT_EQ(invalid(j), "order | order: is required for a shipment.exception event");
}

TEST(Event, AnUnknownTypeNeedsOnlyTheBasics) {
  // The event borrows its text from the JSON, which must outlive it.
  const json j = {{"id", "e"}, {"type", "wishlist.added"}, {"at", "2026-01-01"}, {"extra", 1}};
  Event ev = read(j);
  EXPECT_EQ(ev.kind, EventType::Unknown);
  EXPECT_EQ(ev.type, "wishlist.added");
  EXPECT_FALSE(ev.has_customer);
}

TEST(Event, RefusesASubtotalThatOverflows) {
  json j = order_event("e", 4000000000000000000, 3);
  EXPECT_NE(invalid(j).find("order.lines[0]: price x qty overflows"), std::string::npos);
}

TEST(Event, ReadsCircumstancesFromContactAndReturn) {
  json j = return_event("2026-06-01", "2026-06-10");
  j["return"]["circumstances"] = {"bereavement"};
  j["contact"] = {{"channel", "phone"}, {"topic", "support"}, {"circumstances", {"medical"}}};
  Event ev = read(j);
  EXPECT_TRUE(ev.has_circumstance("bereavement"));
  EXPECT_TRUE(ev.has_circumstance("medical"));
  EXPECT_FALSE(ev.has_circumstance("wedding"));
  EXPECT_EQ(ev.contact.channel, Channel::Phone);
}

// simulate's reader (simdjson) and the single-event reader (nlohmann) read lines alike.
TEST(EventLine, ReadsWhatTheJsonReaderReads) {
  host::EventLineReader reader;
  json j = order_event("e-1", 4995, 3);
  j["order"]["lines"].push_back({{"sku", "SH-2"}, {"price", 100}, {"qty", 1}});
  j["order"]["lines"].push_back({{"sku", "SH-3"}, {"price", 7}, {"qty", 2}, {"final_sale", true}});
  Event line_ev;
  ASSERT_EQ(reader.read(j.dump(), line_ev), "");
  Event ev = read(j);
  EXPECT_EQ(line_ev.id, ev.id);
  EXPECT_EQ(line_ev.kind, ev.kind);
  EXPECT_EQ(line_ev.at.seconds, ev.at.seconds);
  EXPECT_EQ(line_ev.customer.household.size(), ev.customer.household.size());
  EXPECT_EQ(line_ev.order.subtotal, ev.order.subtotal);
  ASSERT_EQ(line_ev.order.lines.size(), 3u);
  EXPECT_EQ(line_ev.order.lines[2].sku, "SH-3");
  EXPECT_TRUE(line_ev.order.lines[2].final_sale);
  EXPECT_EQ(line_ev.order.subtotal, 4995 * 3 + 100 + 14);
}

TEST(EventLine, ErrorsMatchTheJsonReader) {
  host::EventLineReader reader;
  Event ev;
  EXPECT_EQ(reader.read("{not json", ev).rfind("not valid JSON: ", 0), 0u);
  json j = order_event("e-2", 100, 1);
  j["order"]["lines"][0]["qty"] = 1.5;
  const std::string expected = invalid(j);
  ASSERT_FALSE(expected.empty());
  const std::string got = reader.read(j.dump(), ev);
  EXPECT_EQ("order.lines[0].qty | " + got, expected);
  j["order"]["lines"][0]["qty"] = json::parse("18446744073709551615");  // > INT64_MAX
  EXPECT_NE(reader.read(j.dump(), ev).find("order.lines[0].qty"), std::string::npos);
}

/// Events of every type with every field set, and variations on them, good and bad.
std::vector<std::string> event_lines() {
  const json customer = {{"id", "c-1"},
                         {"since", "2020-01-02"},
                         {"orders", 12},
                         {"lifetime_spend", 120000},
                         {"returns", 2},
                         {"returned_value", 9000},
                         {"tier", "gold"},
                         {"vip", true},
                         {"points", 700},
                         {"household", {"c-2", "c-3"}},
                         {"goodwill_last_90d", 500},
                         {"tags", {"press", "wholesale"}},
                         {"last_order_at", "2026-10-01T08:00:00+02:00"},
                         {"spend_12m", 54000}};
  const json order = {{"id", "o-1"},
                      {"placed_at", "2026-11-01T10:00:00Z"},
                      {"currency", "EUR"},
                      {"shipping", "overnight"},
                      {"delivered_at", "2026-11-03"},
                      {"lines",
                       {{{"sku", "SH-1"},
                         {"category", "shoes"},
                         {"price", 4995},
                         {"qty", 2},
                         {"final_sale", true},
                         {"size", "10"}},
                        {{"sku", "SH-2"}, {"price", 0}, {"qty", 1}}}}};
  const json base = {{"id", "e-1"},    {"at", "2026-11-23T10:00:00.5Z"},
                     {"store", "eu"},  {"customer", customer},
                     {"order", order}, {"junk", {{"deep", {1, 2.5}}}}};
  std::vector<json> good;
  json e = base;
  e["type"] = "order.placed";
  good.push_back(e);
  e = base;
  e["type"] = "shipment.exception";
  e["shipment"] = {
      {"status", "late"}, {"carrier_fault", true}, {"days_late", 3}, {"needed_by", "2026-11-25"}};
  good.push_back(e);
  e = base;
  e["type"] = "return.requested";
  e["return"] = {{"lines",
                  {{{"sku", "SH-1"},
                    {"qty", 1},
                    {"reason", "too small"},
                    {"exchange_for", {{"sku", "SH-1"}, {"size", "11"}}}},
                   {{"sku", "SH-2"}}}},
                 {"refund_to", "store_credit"},
                 {"circumstances", {"bereavement"}}};
  good.push_back(e);
  e = base;
  e["type"] = "contact.received";
  e["contact"] = {{"channel", "social"},
                  {"topic", "complaint"},
                  {"circumstances", {"repeat"}},
                  {"public", true},
                  {"our_fault", true}};
  good.push_back(e);
  e = base;
  e["type"] = "stock.inquiry";
  e["inquiry"] = {{"sku", "SH-9"}, {"size", "9"}, {"in_stock", false}};
  good.push_back(e);
  e = {{"id", "e-2"}, {"type", "partner.ping"}, {"at", "2026-11-23"}};  // an unknown type
  good.push_back(e);

  std::vector<std::string> lines;
  for (const json& g : good) {
    lines.push_back(g.dump());
    // Nulls for absent fields, and each optional field left out in turn.
    json n = g;
    n["store"] = nullptr;
    if (n.contains("customer")) n["customer"]["tier"] = nullptr;
    lines.push_back(n.dump());
    for (const auto& [section, value] : g.items()) {
      if (!value.is_object()) {
        json without = g;
        without.erase(section);
        lines.push_back(without.dump());
        continue;
      }
      for (const auto& [field, unused] : value.items()) {
        json without = g;
        without[section].erase(field);
        lines.push_back(without.dump());
        json wrong = g;  // the wrong type for the field
        wrong[section][field] = value[field].is_string() ? json(7) : json("7");
        lines.push_back(wrong.dump());
      }
    }
  }
  // Out of range, over a limit, given twice, escaped, or not an event.
  e = good[0];
  e["customer"]["orders"] = -1;
  lines.push_back(e.dump());
  e = good[0];
  e["order"]["lines"][0]["qty"] = 0;
  lines.push_back(e.dump());
  e = good[0];
  e["order"]["lines"][0]["price"] = json::parse("9223372036854775808");
  lines.push_back(e.dump());
  e = good[0];
  e["order"]["lines"][0]["price"] = 4000000000000000000;
  lines.push_back(e.dump());
  e = good[0];
  e["customer"]["tags"] = json::array();
  for (int i = 0; i < 101; ++i) e["customer"]["tags"].push_back("t");
  lines.push_back(e.dump());
  e = good[0];
  e["customer"]["tier"] = std::string(1025, 'g');
  lines.push_back(e.dump());
  e = good[0];
  e["order"]["shipping"] = "teleport";
  lines.push_back(e.dump());
  e = good[2];
  e["return"]["lines"][0]["exchange_for"]["sku"] = "";
  lines.push_back(e.dump());
  e = good[2];
  e["return"]["lines"][0]["exchange_for"]["sku"] = "NOT-BOUGHT";
  lines.push_back(e.dump());
  e = good[2];
  e["return"]["lines"][0]["exchange_for"] = nullptr;
  lines.push_back(e.dump());
  std::string line = good[0].dump();
  lines.push_back(line.substr(0, line.size() - 1) + R"(,"id":"e-twice"})");
  lines.push_back(R"({"\u0069d":"e-3","type":"x.y","at":"2026-11-23T10:00:00Z"})");
  lines.push_back(R"({"id":"e-4","type":"x.y","at":"2026-11-23T10:00:00Z","customer":[]})");
  lines.push_back(R"([1, 2])");
  return lines;
}

// simulate's reader (simdjson) reads every line into the event the single-event reader
// (nlohmann) reads, field by field, and refuses the lines it refuses, with the same words.
TEST(EventLine, ReadsEveryFieldAsTheJsonReaderDoes) {
  host::EventLineReader reader;
  std::size_t accepted = 0, refused = 0;
  for (const std::string& line : event_lines()) {
    SCOPED_TRACE(line);
    Event line_ev;
    const std::string error = reader.read(line, line_ev);
    const json j = json::parse(line);
    const std::string expected = invalid(j);
    if (!expected.empty()) {
      EXPECT_EQ(expected.substr(expected.find(" | ") + 3), error);
      ++refused;
      continue;
    }
    ASSERT_EQ(error, "");
    EXPECT_EQ(test::event_difference(line_ev, read(j)), "");
    ++accepted;
  }
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(refused, 50u);
}

// A log is read in blocks of 1 MiB, and each line parsed where it sits in its block, with the
// next line or the block's padding after it: lines of every length cross the blocks, some end in
// CRLF, and the last is cut short with no newline.
TEST(EventLine, ALogReadInBlocksReadsEveryLineWhole) {
  const fs::path path = fs::temp_directory_path() /
                        ("shoprules-event-test-blocks-" + std::to_string(::getpid()) + ".jsonl");
  constexpr int kEvents = 4000;
  std::string cut;
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < kEvents; ++i) {
      json e = order_event("e-" + std::to_string(i), 100 + i, 1 + i % 3);
      e["customer"]["note"] = std::string(static_cast<std::size_t>(i * 37 % 1000), 'n');
      out << e.dump() << (i % 7 == 0 ? "\r\n" : "\n");
      if (i == 0) cut = e.dump().substr(0, 40);
    }
    out << cut;
  }
  ASSERT_GT(fs::file_size(path), 2u << 20);
  host::Host h = make_host();
  host::SimulationOptions options;
  options.threads = 2;
  const json report = host::simulate(path, *h.snapshot(), nullptr, options);
  fs::remove(path);
  EXPECT_EQ(report["lines"], kEvents + 1);
  EXPECT_EQ(report["events"], kEvents);
  ASSERT_EQ(report["bad_lines"], 1);
  EXPECT_EQ(report["bad_examples"][0]["line"], kEvents + 1);
  EXPECT_EQ(report["bad_examples"][0]["error"].get<std::string>().rfind("not valid JSON", 0), 0u);
  const json& by_type = report["configs"][0]["by_type"];
  ASSERT_TRUE(by_type.contains("points.award"));
  EXPECT_GT(by_type["points.award"]["count"].get<std::int64_t>(), 0);
}

// A replay reads events a block at a time before it evaluates them: bad lines of every kind (not
// JSON, an invalid event, too long, a store the config lacks) are still counted, the first of
// them in the log quoted, and every good line, short or long, evaluated once.
TEST(EventLine, BadLinesAreQuotedInTheLogsOrder) {
  const fs::path path = fs::temp_directory_path() /
                        ("shoprules-event-test-order-" + std::to_string(::getpid()) + ".jsonl");
  constexpr int kLines = 300;
  std::vector<std::pair<int, std::string>> expected;  // line number, how its error starts
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 1; i <= kLines; ++i) {
      json e = order_event("e-" + std::to_string(i), 100 + i);
      if (i % 7 == 0) {
        out << "{not json\n";
        expected.emplace_back(i, "not valid JSON");
        continue;
      }
      if (i % 11 == 0) {
        e["store"] = "mars";
        expected.emplace_back(i, "store: no store named 'mars'");
      } else if (i % 13 == 0) {
        e["customer"]["note"] = std::string(host::kMaxEventLineBytes, 'n');
        expected.emplace_back(i, "longer than the limit");
      } else if (i % 17 == 0) {
        e["order"]["lines"] = json::array();
        e.erase("id");
        expected.emplace_back(i, "id: is required");
      } else if (i % 5 == 0) {  // long, but not too long: read apart from the block
        e["customer"]["note"] = std::string(20000, 'n');
      }
      out << e.dump() << '\n';
    }
  }
  host::Host h = make_host();
  host::SimulationOptions options;
  options.threads = 1;
  options.bad_lines_listed = 10;  // of 97: the first ten are quoted
  const json report = host::simulate(path, *h.snapshot(), nullptr, options);
  fs::remove(path);
  EXPECT_EQ(report["lines"], kLines);
  EXPECT_EQ(report["events"], kLines - static_cast<int>(expected.size()));
  ASSERT_EQ(report["bad_lines"], expected.size());
  ASSERT_EQ(report["bad_examples"].size(), 10u);
  for (std::size_t k = 0; k < 10; ++k) {
    const json& b = report["bad_examples"][k];
    EXPECT_EQ(b["line"], expected[k].first);
    EXPECT_EQ(b["error"].get<std::string>().rfind(expected[k].second, 0), 0u)
        << b["error"] << " on line " << expected[k].first;
  }
  // The good lines were each evaluated once: one points award per order.
  EXPECT_EQ(report["configs"][0]["by_type"]["points.award"]["count"], report["events"]);
}

TEST(EventLine, TheLastOfDuplicateKeysWinsAsWithNlohmann) {
  host::EventLineReader reader;
  Event ev;
  const std::string line =
      R"({"id":"first","type":"x.y","at":"2026-11-23T10:00:00Z","id":"second"})";
  ASSERT_EQ(reader.read(line, ev), "");
  EXPECT_EQ(ev.id, "second");
  EXPECT_EQ(read(json::parse(line)).id, "second");
}

TEST(Time, ParsesDatesTimesAndOffsets) {
  std::int64_t s = 0;
  ASSERT_TRUE(host::parse_time("1970-01-01", s));
  EXPECT_EQ(s, 0);
  ASSERT_TRUE(host::parse_time("2026-11-23T10:00:00Z", s));
  EXPECT_EQ(s, 1795428000);
  ASSERT_TRUE(host::parse_time("2026-11-23T12:00:00+02:00", s));
  EXPECT_EQ(s, 1795428000);
  ASSERT_TRUE(host::parse_time("2026-11-23T10:00:00.123Z", s));
  EXPECT_EQ(s, 1795428000);
  ASSERT_TRUE(host::parse_time("2024-02-29", s));
  EXPECT_FALSE(host::parse_time("2025-02-29", s));
  EXPECT_FALSE(host::parse_time("2026-13-01", s));
  EXPECT_FALSE(host::parse_time("2026-11-23T25:00:00Z", s));
  EXPECT_FALSE(host::parse_time("2026-11-23T10:00:00Zjunk", s));
  EXPECT_FALSE(host::parse_time("23/11/2026", s));
  EXPECT_FALSE(host::parse_time("", s));
}

// "YYYY-MM-DDTHH:MM:SSZ" has a parser of its own: it must agree with the general one, which reads
// the same instant written with a zero offset ("+00:00") or a lowercase "z".
TEST(Time, TheCommonFormAgreesWithTheGeneralParser) {
  std::mt19937_64 rng(11);
  int valid = 0;
  for (int i = 0; i < 200000; ++i) {
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                  static_cast<int>(rng() % 10000), static_cast<int>(rng() % 14),
                  static_cast<int>(rng() % 33), static_cast<int>(rng() % 26),
                  static_cast<int>(rng() % 62), static_cast<int>(rng() % 62));
    std::string common(text);
    if (rng() % 4 == 0) common[rng() % common.size()] = "0123456789-T:Z+. "[rng() % 17];
    std::string offset = common, lower = common;
    offset.replace(offset.size() - 1, 1, "+00:00");
    lower.back() = 'z';
    std::int64_t a = -1, b = -1, c = -1;
    const bool ok = host::parse_time(common, a);
    if (common.back() != 'Z') continue;  // corrupted where the zone goes
    EXPECT_EQ(ok, host::parse_time(offset, b)) << common;
    EXPECT_EQ(ok, host::parse_time(lower, c)) << common;
    if (ok) {
      EXPECT_EQ(a, b) << common;
      EXPECT_EQ(a, c) << common;
      ++valid;
    }
  }
  EXPECT_GT(valid, 50000);  // the draw reaches both sides
}

TEST(Time, DaysBetweenRoundsDown) {
  Timestamp a{0, true}, b{86400 * 2 - 1, true};
  EXPECT_EQ(days_between(a, b), 1);
  EXPECT_EQ(days_between(b, a), -2);
}

}  // namespace
}  // namespace shoprules::test
