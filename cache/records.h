// The records the cache stores, and their encodings. Every decoder returns
// nullopt for bytes it does not understand (wrong version, wrong length,
// bad JSON): the caller treats that record as a miss, never as a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/stat_cache.h"

namespace wharf::cache {

// What Db::artifacts holds for an input key.
struct ArtifactRecord {
  std::string service;
  std::string kind;    // "zip", "oci-layer", "file", ...
  std::string digest;  // SHA-256 of the bytes, 64 lowercase hex digits: the blob's name
  std::uint64_t size = 0;
  std::int64_t created_ns = 0;    // ns since the epoch
  std::int64_t last_used_ns = 0;  // ns since the epoch; gc removes the oldest first
  friend bool operator==(const ArtifactRecord&, const ArtifactRecord&) = default;
};

// What Db::ledger holds for (environment, service): what is deployed there.
struct LedgerEntry {
  std::string sha;              // the commit deployed
  std::string input_key;        // its service input key
  std::string artifact_digest;  // SHA-256 hex of the artifact deployed
  std::int64_t time_ns = 0;
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// StatRecord: a fixed 62-byte little-endian layout, version byte first.
inline constexpr std::size_t kStatRecordSize = 62;
std::string encode_stat(const hashing::StatRecord& record);
std::optional<hashing::StatRecord> decode_stat(std::string_view bytes);

// ArtifactRecord and LedgerEntry: JSON objects with a "v" field, so they can
// be read with mdb_dump when debugging.
std::string encode_artifact(const ArtifactRecord& record);
std::optional<ArtifactRecord> decode_artifact(std::string_view bytes);
std::string encode_ledger(const LedgerEntry& entry);
std::optional<LedgerEntry> decode_ledger(std::string_view bytes);

// A service input key as the cache stores it: 32 lowercase hex digits.
bool is_input_key(std::string_view key);
// 64 lowercase hex digits.
bool is_sha256_hex(std::string_view digest);

}  // namespace wharf::cache
