// Text for reasons: pieces joined into one string, allocated once.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoprules {
namespace detail {

/// One piece of a text: a string as it is, or an integer in decimal (as std::to_string writes
/// it). Made in place by `cat` and never copied: an integer's text lives in the piece.
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
  TextPiece(const TextPiece&) = delete;
  TextPiece& operator=(const TextPiece&) = delete;

  std::string_view text() const { return text_; }

 private:
  char digits_[24];  // a sign and 20 digits
  std::string_view text_;
};

/// Writes the pieces to the end of `out` (after emptying it, if `replace`), growing it at most
/// once. A piece may be a view of `out` itself (`append(s, s)`): then the text is joined apart and
/// put in place after.
inline void write_pieces(std::string& out, const TextPiece* pieces, std::size_t count,
                         bool replace) {
  const auto at = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
  const std::uintptr_t own = at(out.data());
  std::size_t size = replace ? 0 : out.size();
  bool aliased = false;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view text = pieces[i].text();
    size += text.size();
    aliased = aliased || (!text.empty() && at(text.data()) >= own &&
                          at(text.data()) < own + out.capacity() + 1);
  }
  if (aliased) {
    std::string joined;
    joined.reserve(size);
    if (!replace) joined.append(out);
    for (std::size_t i = 0; i < count; ++i) joined.append(pieces[i].text());
    out.swap(joined);
    return;
  }
  if (replace) out.clear();
  out.reserve(size);
  for (std::size_t i = 0; i < count; ++i) out.append(pieces[i].text());
}

}  // namespace detail

/// Appends strings and integers to `out`, growing it at most once: what `cat` writes, into a
/// string that may already have room for it (an action's reason, reused between evaluations).
template <class... Parts>
std::string& append(std::string& out, const Parts&... parts) {
  if constexpr (sizeof...(Parts) > 0) {
    const detail::TextPiece pieces[] = {detail::TextPiece(parts)...};
    detail::write_pieces(out, pieces, sizeof...(Parts), false);
  }
  return out;
}

/// Replaces `out` with the strings and integers joined, in the storage it has if that is enough.
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

/// Joins strings and integers into one string: `cat(points, " points for an order of ",
/// format_money(subtotal, currency))`. The same text as adding them with `+` and std::to_string,
/// with one allocation instead of one each time the text outgrows its storage: rules write a
/// reason on most events.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  append(out, parts...);
  return out;
}

}  // namespace shoprules
