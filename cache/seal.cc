#include "cache/seal.h"

#include <xxhash.h>

#include <cstdint>

namespace wharf::cache {
namespace {

// Version 1 of the seal. 0xC3 is neither printable ASCII, '{' (the JSON
// records), nor 1 (the first byte of the old stat records): older values
// never look sealed.
constexpr char kSealTag = static_cast<char>(0xC3);

std::uint64_t checksum(std::string_view key, std::string_view payload) {
  // Seeding with the key's hash binds the payload to its key.
  std::uint64_t key_hash = XXH3_64bits(key.data(), key.size());
  return XXH3_64bits_withSeed(payload.data(), payload.size(), key_hash ^ 0x77686172665f7631ULL);
}

}  // namespace

std::string seal(std::string_view key, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + kSealOverhead);
  out.push_back(kSealTag);
  out.append(payload);
  std::uint64_t sum = checksum(key, payload);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((sum >> (8 * i)) & 0xff));
  return out;
}

Unsealed unseal(std::string_view key, std::string_view stored) {
  if (stored.empty() || stored.front() != kSealTag) return {SealCheck::foreign, {}};
  if (stored.size() < kSealOverhead) return {SealCheck::damaged, {}};
  std::string_view payload = stored.substr(1, stored.size() - kSealOverhead);
  std::string_view tail = stored.substr(stored.size() - 8);
  std::uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum |= std::uint64_t{static_cast<std::uint8_t>(tail[i])} << (8 * i);
  if (sum != checksum(key, payload)) return {SealCheck::damaged, {}};
  return {SealCheck::ok, payload};
}

}  // namespace wharf::cache
