// SHA-256 (FIPS 180-4), for pinning plugin files; streaming, no dependencies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace shoprules::host {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  /// The digest as 64 lowercase hex digits. Call once, after the last update.
  std::string hex();

 private:
  void block(const unsigned char* p);

  std::array<std::uint32_t, 8> h_;
  unsigned char buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  // bytes
};

inline std::string sha256_hex(std::string_view data) {
  Sha256 s;
  s.update(data.data(), data.size());
  return s.hex();
}

}  // namespace shoprules::host
