// XXH3-128, the content hash of wharf: a small RAII streaming state and the
// hex form of a Digest128.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hashing/stat_cache.h"

struct XXH3_state_s;

namespace wharf::hashing {

// Streaming XXH3-128 (seed 0). Not copyable; cheap to reset and reuse.
class Xxh3 {
 public:
  Xxh3();
  Xxh3(const Xxh3&) = delete;
  Xxh3& operator=(const Xxh3&) = delete;
  ~Xxh3();

  void reset();
  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest of everything since construction or reset(); does not reset.
  Digest128 digest() const;

 private:
  XXH3_state_s* state_;
};

// XXH3-128 of one buffer, in the canonical (big-endian) byte order.
Digest128 xxh3_128(std::string_view data);

// 32 lower-case hex digits.
std::string to_hex(const Digest128& digest);
// The inverse of to_hex; nullopt unless exactly 32 hex digits.
std::optional<Digest128> digest_from_hex(std::string_view hex);

}  // namespace wharf::hashing
