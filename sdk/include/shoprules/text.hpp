// Text for reasons: pieces joined into one string, allocated once.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
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

}  // namespace detail

/// Joins strings and integers into one string: `cat(points, " points for an order of ",
/// format_money(subtotal, currency))`. The same text as adding them with `+` and std::to_string,
/// with one allocation instead of one each time the text outgrows its storage: rules write a
/// reason on most events.
template <class... Parts>
std::string cat(const Parts&... parts) {
  if constexpr (sizeof...(Parts) == 0) {
    return {};
  } else {
    const detail::TextPiece pieces[] = {detail::TextPiece(parts)...};
    std::size_t size = 0;
    for (const detail::TextPiece& piece : pieces) size += piece.text().size();
    std::string out;
    out.reserve(size);
    for (const detail::TextPiece& piece : pieces) out.append(piece.text());
    return out;
  }
}

}  // namespace shoprules
