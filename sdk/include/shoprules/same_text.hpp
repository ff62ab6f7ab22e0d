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

/// The bytes [at, at + 8) of a text at least that long, as one word.
inline std::uint64_t word_at(const char* text, std::size_t at) {
  std::uint64_t w;
  std::memcpy(&w, text + at, 8);
  return w;
}

}  // namespace detail

/// Equality of two texts of the same size `n`: the first and the last 8 bytes (overlapping) and,
/// past 16 bytes, the ones between. Reads only inside both texts.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (detail::word_at(a, i) != detail::word_at(b, i)) return false;
    return detail::word_at(a, n - 8) == detail::word_at(b, n - 8);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// Equality of two texts, as `a == b`.
inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

}  // namespace shoprules
