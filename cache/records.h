// The records the cache stores, and their encodings. Every decoder returns
// nullopt for bytes it does not understand (wrong version, wrong length,
// bad JSON): the caller treats that record as a miss, never as a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/stat_cache.h"

namespace wharf::cache {

// One blob an artifact needs (an OCI descriptor without the annotations).
struct BlobRef {
  std::string digest;  // SHA-256, 64 lowercase hex digits: the blob's name in the BlobStore
  std::uint64_t size = 0;
  std::string media_type;  // e.g. application/vnd.oci.image.layer.v1.tar+gzip; may be empty
  friend bool operator==(const BlobRef&, const BlobRef&) = default;
};

// What Db::artifacts holds for an input key. An artifact is one or more
// blobs: a zip is one, an OCI image is its manifest, config and layers.
// `digest`/`size`/`media_type` name the primary blob (the zip's bytes, the
// image manifest), which is also one of `blobs`.
struct ArtifactRecord {
  std::string service;
  std::string kind;    // "zip", "image", "file", ...
  std::string digest;  // SHA-256 of the primary blob, 64 lowercase hex digits: its name
  std::uint64_t size = 0;
  std::int64_t created_ns = 0;    // ns since the epoch
  std::int64_t last_used_ns = 0;  // ns since the epoch; gc removes the oldest first
  // Every blob the artifact needs, the primary one included; gc keeps each
  // while a kept record lists it. ArtifactStore::put fills an empty list
  // with the primary blob alone.
  std::vector<BlobRef> blobs;
  std::string media_type;  // of the primary blob; empty for a zip
  friend bool operator==(const ArtifactRecord&, const ArtifactRecord&) = default;
};

// The record's blobs; when it lists none, the primary blob alone.
std::vector<BlobRef> blobs_of(const ArtifactRecord& record);

// What Db::ledger holds for (environment, service): what is deployed there.
struct LedgerEntry {
  std::string sha;              // the commit deployed
  std::string input_key;        // its service input key
  std::string artifact_digest;  // SHA-256 hex of the artifact deployed
  std::int64_t time_ns = 0;
  // Set by `wharf deploy` and `wharf promote` (empty for `wharf record`);
  // initialised so that entries written as {sha, key, digest, time} stay
  // complete aggregates.
  std::string digest{};    // what the target holds, "sha256:<hex>" (an image's manifest digest)
  std::string tag{};       // the first tag pushed
  std::string pusher{};    // "registry", "dir", "http", "command"
  std::string location{};  // where the pusher put it
  std::int64_t verified_ns = 0;  // when `wharf verify` saw it live (0: not yet)
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// StatRecord: a fixed 62-byte little-endian layout, version byte first.
inline constexpr std::size_t kStatRecordSize = 62;
std::string encode_stat(const hashing::StatRecord& record);
std::optional<hashing::StatRecord> decode_stat(std::string_view bytes);

// ArtifactRecord and LedgerEntry: JSON objects with a "v" field, so they can
// be read with mdb_dump when debugging. An artifact record of version 3
// lists its blobs; one of version 2 (one blob) decodes with blobs =
// {{digest, size, ""}}. A record whose blob list lacks the primary blob or
// holds a digest that is not 64 lowercase hex digits does not decode.
std::string encode_artifact(const ArtifactRecord& record);
std::optional<ArtifactRecord> decode_artifact(std::string_view bytes);
std::string encode_ledger(const LedgerEntry& entry);
std::optional<LedgerEntry> decode_ledger(std::string_view bytes);

// A service input key as the cache stores it: 32 lowercase hex digits.
bool is_input_key(std::string_view key);
// 64 lowercase hex digits.
bool is_sha256_hex(std::string_view digest);

}  // namespace wharf::cache
