#include "hashing/xxh3.h"

#include <cstring>
#include <new>

#include <xxhash.h>

#include "util/text.h"

namespace wharf::hashing {
namespace {

Digest128 canonical(XXH128_hash_t hash) {
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, hash);
  Digest128 out;
  std::memcpy(out.data(), canon.digest, out.size());
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Xxh3::Xxh3() : state_(XXH3_createState()) {
  if (!state_) throw std::bad_alloc();
  reset();
}

Xxh3::~Xxh3() { XXH3_freeState(state_); }

void Xxh3::reset() { XXH3_128bits_reset(state_); }

void Xxh3::update(const void* data, std::size_t size) { XXH3_128bits_update(state_, data, size); }

Digest128 Xxh3::digest() const { return canonical(XXH3_128bits_digest(state_)); }

Digest128 xxh3_128(std::string_view data) { return canonical(XXH3_128bits(data.data(), data.size())); }

std::string to_hex(const Digest128& digest) { return wharf::to_hex(digest); }

std::optional<Digest128> digest_from_hex(std::string_view hex) {
  Digest128 out;
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace wharf::hashing
