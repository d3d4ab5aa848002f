// SHA-1 (git object ids) and SHA-256 (blob names), from OpenSSL.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wharf {

// Through OpenSSL's one-algorithm functions (SHA1_Init...), not EVP: the same
// assembly (SHA-NI, AVX2; 1.8 GB/s measured for both), but linking EVP brings
// OpenSSL's provider machinery: ~3.4 MB of code and ~17,000 relocations the
// loader applied at every start of wharf (a fifth of `wharf --version`).
class Sha1 {
 public:
  Sha1();
  void update(std::string_view bytes);
  std::array<std::uint8_t, 20> digest();  // once; the object is spent

 private:
  static constexpr std::size_t kStateSize = 96;  // sizeof(SHA_CTX), checked in sha.cc
  alignas(8) unsigned char state_[kStateSize];
};

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  std::array<std::uint8_t, 32> digest();  // once; the object is spent

 private:
  static constexpr std::size_t kStateSize = 112;  // sizeof(SHA256_CTX), checked in sha.cc
  alignas(8) unsigned char state_[kStateSize];
};

}  // namespace wharf
