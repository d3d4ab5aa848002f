// The one tagged hasher every key goes through: each field is hashed as
// (tag, length, bytes), so "a"+"bc" and "ab"+"c" differ and a value can never
// be mistaken for a field name. Optionally records a transcript, one text line
// "tag: value" per field, which `wharf explain` diffs between two keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hashing/xxh3.h"

namespace wharf::hashing {

// Not thread-safe; one per key being computed.
class Hasher {
 public:
  // `transcript`, when not null, receives one line per field (appended). The
  // caller owns it; null costs nothing (the default, fast path).
  explicit Hasher(std::string* transcript = nullptr) : transcript_(transcript) {}

  // A text field. The transcript shows the value with '\\' and '\n' escaped.
  Hasher& field(std::string_view tag, std::string_view value);
  // A digest field (16 raw bytes hashed; hex in the transcript).
  Hasher& field(std::string_view tag, const Digest128& digest);
  // A number, hashed as 8 little-endian bytes (decimal in the transcript).
  Hasher& number(std::string_view tag, std::uint64_t value);
  // A value that must not be written down (an environment variable): hashed
  // like field(), shown in the transcript only as its own XXH3-128.
  Hasher& secret(std::string_view tag, std::string_view value);

  // The digest of all fields so far.
  Digest128 finish() const { return state_.digest(); }

 private:
  void hash_field(std::string_view tag, std::string_view bytes);
  void record(std::string_view tag, std::string_view shown);

  Xxh3 state_;
  std::string* transcript_;
};

// The transcript form of a value: '\\' -> "\\\\", '\n' -> "\\n".
std::string escape_transcript_value(std::string_view value);
std::string unescape_transcript_value(std::string_view value);

}  // namespace wharf::hashing
