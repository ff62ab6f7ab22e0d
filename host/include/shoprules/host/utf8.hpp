// UTF-8 character boundaries: where a row of column text, or a text quoted in a message, may end.
#pragma once

#include <cstddef>
#include <string_view>

namespace shoprules::host {

/// Whether `byte` continues a UTF-8 character (10xxxxxx): a text cut just before it would split
/// one.
inline bool utf8_continuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

/// The length of the longest prefix of `text` of at most `max` bytes that does not end inside a
/// UTF-8 character: where to cut a text quoted in a message, so that valid UTF-8 stays valid.
inline std::size_t utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t n = max;
  while (n > 0 && utf8_continuation(text[n])) --n;
  return n;
}

}  // namespace shoprules::host
