// UTF-8 in messages: text quoted from an input or a plugin is cut without splitting a character.
#pragma once

#include <cstddef>
#include <string_view>

namespace shoprules::host {

/// The length of the longest prefix of `text` of at most `max` bytes that does not end inside a
/// UTF-8 character: where to cut a text quoted in a message, so that valid UTF-8 stays valid.
inline std::size_t utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

}  // namespace shoprules::host
