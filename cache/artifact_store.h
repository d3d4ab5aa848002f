// Artifacts by service input key (Db::artifacts), the transcript of what was
// hashed for each key (Db::transcripts, for `wharf explain`) and the key
// last built per service (Db::last_built).
//
// Not thread-safe; borrows the LmdbEnv and BlobStore, which must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/blob_store.h"
#include "cache/lmdb_env.h"
#include "cache/records.h"

namespace wharf::cache {

// ns since the epoch; injectable so tests control "least recently used".
using Clock = std::function<std::int64_t()>;
std::int64_t system_clock_ns();

class ArtifactStore {
 public:
  ArtifactStore(LmdbEnv& env, const BlobStore& blobs, Clock clock)
      : env_(env), blobs_(blobs), clock_(std::move(clock)) {}

  // The artifact for an input key; nullopt when there is none, its record
  // does not decode, or any of its blob files is missing (all are misses).
  // ErrorKind::usage when `key` is not 32 lowercase hex digits.
  Result<std::optional<ArtifactRecord>> find(std::string_view key);

  // Records the artifact, its transcript (an empty one keeps any stored for
  // the key) and last_built[record.service] in one transaction. Every blob
  // of the record must already be stored (BlobStore::put_*, adopt_file,
  // link_file): that is checked inside the transaction, so a concurrent gc
  // cannot leave the record dangling. ErrorKind::not_found naming the first
  // missing digest otherwise: store the blobs again and retry (a blob that
  // was already stored, unreferenced, for longer than gc's grace period can
  // go between its put and this one). An empty `blobs` means the primary
  // blob alone; a list without the primary blob (same digest and size) or
  // with a digest that is not 64 lowercase hex digits is ErrorKind::usage.
  // created_ns/last_used_ns of 0 become now. Returns the record as stored.
  Result<ArtifactRecord> put(std::string_view key, ArtifactRecord record, std::string_view transcript);

  // Stores `file`'s bytes as a blob and records them for `key` (put() with
  // one retry when a concurrent gc removed the blob in between).
  Result<ArtifactRecord> put_file(std::string_view key, std::string service, std::string kind, const std::string& file,
                                  std::string_view transcript);

  // Marks the artifact used now; false when there is none.
  Result<bool> touch(std::string_view key);
  // Marks each of `keys` used now, in one transaction; how many exist.
  Result<std::size_t> touch_all(std::span<const std::string> keys);

  // The input key of the artifact last built for a service.
  Result<std::optional<std::string>> last_built(std::string_view service);
  Result<std::optional<std::string>> transcript(std::string_view key);

  // Which of `keys` have no (or an empty) transcript: their indices, in
  // order, each key once. One read transaction.
  Result<std::vector<std::size_t>> missing_transcripts(std::span<const std::string> keys);
  // Stores texts[i] as the transcript of keys[i], in one write transaction.
  Result<void> put_transcripts(std::span<const std::string> keys, std::span<const std::string> texts);

  // Every artifact record that decodes, sorted by key.
  Result<std::vector<std::pair<std::string, ArtifactRecord>>> list();

 private:
  // The first of the record's blobs that is not stored, or "".
  std::string missing_blob(const ArtifactRecord& record) const;

  LmdbEnv& env_;
  const BlobStore& blobs_;
  Clock clock_;
};

}  // namespace wharf::cache
