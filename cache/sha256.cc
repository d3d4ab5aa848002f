#include "cache/sha256.h"

#include "util/text.h"

namespace wharf::cache {

std::string Sha256::hex_digest() { return to_hex(sha_.digest()); }

std::string sha256_hex(std::string_view bytes) {
  Sha256 hash;
  hash.update(bytes);
  return hash.hex_digest();
}

}  // namespace wharf::cache
