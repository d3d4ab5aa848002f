// Every value wharf writes to LMDB is sealed: a tag byte, the payload, and an
// XXH3-64 checksum of the key and the payload. LmdbEnv's Txn seals on put and
// checks on get/scan, so no store can hand out bytes that a flipped bit on
// disk, a bad copy of a CI cache or a stray write changed: such a record
// reads as a miss (slower, never wrong), and is counted.
//
// The key is part of the checksum, so a record that a damaged page shows
// under another key fails too. The tag is the seal's version: values from an
// older wharf (no tag) are misses that are not counted as damage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wharf::cache {

// Tag byte + 8 checksum bytes around every payload.
inline constexpr std::size_t kSealOverhead = 9;

std::string seal(std::string_view key, std::string_view payload);

enum class SealCheck {
  ok,       // payload is what was written under this key
  foreign,  // no seal of this version (an older wharf wrote it): a plain miss
  damaged,  // the checksum or the length is wrong: a miss, counted
};

struct Unsealed {
  SealCheck check = SealCheck::damaged;
  std::string_view payload;  // set when check == ok
};

// Reads every byte of `stored`: check its length against what the map holds
// before calling this (Txn does).
Unsealed unseal(std::string_view key, std::string_view stored);

}  // namespace wharf::cache
