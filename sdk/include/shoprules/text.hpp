// Text for reasons: pieces joined into one string, allocated once.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoprules {

/// Currencies whose minor unit is the major unit (ISO 4217 exponent 0).
inline constexpr std::string_view kZeroDecimalCurrencies[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};

inline bool zero_decimal_currency(std::string_view code) {
  // Called for every amount a rule formats: compare the three letters in place, not by memcmp.
  if (code.size() != 3) return false;
  for (std::string_view c : kZeroDecimalCurrencies)
    if (c[0] == code[0] && c[1] == code[1] && c[2] == code[2]) return true;
  return false;
}

/// An amount in minor units, written as text only when a text is written: "49.95 USD". Made by
/// `money(minor, currency)` (money.hpp); a piece of `cat`, `because` and their kin.
struct MoneyText {
  std::int64_t minor;
  std::string_view currency;
};

namespace detail {

/// One piece of a text: a string as it is, an integer in decimal (as std::to_string writes it),
/// or an amount of money (as format_money writes it). Made in place by `cat` and never copied: a
/// number's text lives in the piece.
class TextPiece {
 public:
  TextPiece(std::string_view text) : text_(text) {}
  TextPiece(const std::string& text) : text_(text) {}
  TextPiece(const char* text) : text_(text) {}
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char>) TextPiece(I value) {
    const auto written = std::to_chars(digits_, digits_ + sizeof digits_, value);
    text_ = std::string_view(digits_, static_cast<std::size_t>(written.ptr - digits_));
  }
  TextPiece(const MoneyText& m) : tail_(m.currency) {
    // Digits written backwards from the end: "49.95", or "500" in a zero-decimal currency.
    char* const end = digits_ + sizeof digits_;
    char* p = end;
    std::uint64_t v = m.minor < 0 ? 0 - static_cast<std::uint64_t>(m.minor) : m.minor;
    if (!zero_decimal_currency(m.currency)) {
      const auto cents = static_cast<unsigned>(v % 100);
      v /= 100;
      *--p = static_cast<char>('0' + cents % 10);
      *--p = static_cast<char>('0' + cents / 10);
      *--p = '.';
    }
    do {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    if (m.minor < 0) *--p = '-';
    text_ = std::string_view(p, static_cast<std::size_t>(end - p));
  }
  TextPiece(const TextPiece&) = delete;
  TextPiece& operator=(const TextPiece&) = delete;

  /// Its length: the text, then a space and the tail (a money's currency) if there is one.
  std::size_t size() const { return text_.size() + (tail_.empty() ? 0 : 1 + tail_.size()); }
  /// Whether it quotes bytes in [begin, end).
  bool quotes(std::uintptr_t begin, std::uintptr_t end) const {
    const auto in = [&](std::string_view t) {
      const auto at = reinterpret_cast<std::uintptr_t>(t.data());
      return !t.empty() && at >= begin && at < end;
    };
    return in(text_) || in(tail_);
  }
  void write(std::string& out) const {
    out.append(text_);
    if (tail_.empty()) return;
    out.push_back(' ');
    out.append(tail_);
  }

 private:
  char digits_[24];  // a sign and 20 digits, or a sign, 18 digits, a point and 2 decimals
  std::string_view text_;
  std::string_view tail_;
};

/// Writes the pieces to the end of `out` (after emptying it, if `replace`), growing it at most
/// once. A piece may be a view of `out` itself (`append(s, s)`): then the text is joined apart and
/// put in place after.
inline void write_pieces(std::string& out, const TextPiece* pieces, std::size_t count,
                         bool replace) {
  const auto own = reinterpret_cast<std::uintptr_t>(out.data());
  std::size_t size = replace ? 0 : out.size();
  bool aliased = false;
  for (std::size_t i = 0; i < count; ++i) {
    size += pieces[i].size();
    aliased = aliased || pieces[i].quotes(own, own + out.capacity() + 1);
  }
  if (aliased) {
    std::string joined;
    joined.reserve(size);
    if (!replace) joined.append(out);
    for (std::size_t i = 0; i < count; ++i) pieces[i].write(joined);
    out.swap(joined);
    return;
  }
  if (replace) out.clear();
  out.reserve(size);
  for (std::size_t i = 0; i < count; ++i) pieces[i].write(out);
}

}  // namespace detail

/// Appends strings, integers and money to `out`, growing it at most once: what `cat` writes, into a
/// string that may already have room for it (an action's reason, reused between evaluations).
template <class... Parts>
std::string& append(std::string& out, const Parts&... parts) {
  if constexpr (sizeof...(Parts) > 0) {
    const detail::TextPiece pieces[] = {detail::TextPiece(parts)...};
    detail::write_pieces(out, pieces, sizeof...(Parts), false);
  }
  return out;
}

/// Replaces `out` with the strings, integers and money joined, in the storage it has if that is
/// enough.
template <class... Parts>
std::string& assign(std::string& out, const Parts&... parts) {
  if constexpr (sizeof...(Parts) == 0) {
    out.clear();
  } else {
    const detail::TextPiece pieces[] = {detail::TextPiece(parts)...};
    detail::write_pieces(out, pieces, sizeof...(Parts), true);
  }
  return out;
}

/// Joins strings, integers and money into one string: `cat(points, " points for an order of ",
/// money(subtotal, currency))`. The same text as adding them with `+`, std::to_string and
/// format_money, with one allocation instead of one each time the text outgrows its storage: rules
/// write a reason on most events.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  append(out, parts...);
  return out;
}

}  // namespace shoprules
