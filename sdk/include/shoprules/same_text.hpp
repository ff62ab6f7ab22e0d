// Equality of short texts (event keys, action types, param keys) a word at a time: for texts of a
// few bytes, a call to memcmp costs more than the comparison. The host and the SDK's own lookups
// (params by key, actions by type) use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace shoprules {

namespace detail {

/// The bytes [at, at + sizeof(Word)) of a text at least that long, as one word.
template <class Word = std::uint64_t>
inline Word word_at(const char* text, std::size_t at) {
  Word w;
  std::memcpy(&w, text + at, sizeof w);
  return w;
}

/// Equality of the first and the last sizeof(Word) bytes (overlapping) of texts of `n` bytes,
/// sizeof(Word) <= n <= 2 * sizeof(Word): all their bytes.
template <class Word>
inline bool same_ends(const char* a, const char* b, std::size_t n) {
  return word_at<Word>(a, 0) == word_at<Word>(b, 0) &&
         word_at<Word>(a, n - sizeof(Word)) == word_at<Word>(b, n - sizeof(Word));
}

}  // namespace detail

/// Equality of two texts of the same size `n`, a word at a time: past 8 bytes, 8 at a time and
/// the last 8 (overlapping); below, the first and the last 4 or 2 bytes. Reads only inside both
/// texts.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (detail::word_at(a, i) != detail::word_at(b, i)) return false;
    return detail::word_at(a, n - 8) == detail::word_at(b, n - 8);
  }
  if (n >= 4) return detail::same_ends<std::uint32_t>(a, b, n);
  if (n >= 2) return detail::same_ends<std::uint16_t>(a, b, n);
  return n == 0 || *a == *b;
}

/// Equality of two texts, as `a == b`.
inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

}  // namespace shoprules
