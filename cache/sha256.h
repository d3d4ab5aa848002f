// SHA-256 as lowercase hex, for naming blobs (util/sha.h does the hashing).
#pragma once

#include <string>
#include <string_view>

#include "util/sha.h"

namespace wharf::cache {

// Incremental SHA-256. Not thread-safe.
class Sha256 {
 public:
  void update(std::string_view bytes) { sha_.update(bytes); }
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  wharf::Sha256 sha_;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace wharf::cache
