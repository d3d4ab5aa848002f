// Garbage collection: removes artifacts least recently used first until the
// blob bytes fit a budget, keeping the newest few per service and anything
// the deploy ledger points to. It follows references: an artifact lists every
// blob it needs (ArtifactRecord::blobs: an image's manifest, config and
// layers), a blob stays while any kept record lists it, removing a record
// frees only the blobs no kept record uses, and every size counts a shared
// blob once. Blob files no record lists go once they are older than a grace
// period; records missing a blob, and records that do not decode (in any
// database but meta), are deleted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "cache/cache.h"
#include "cache/records.h"

namespace wharf::cache {

enum class DryRun { no, yes };

// How long a blob no record lists is spared: a build stores its blobs first
// and records them after packing the rest, which takes minutes, not hours.
inline constexpr std::chrono::nanoseconds kUnreferencedGrace = std::chrono::hours(1);

struct GcOptions {
  std::uint64_t max_size_bytes = 0;  // budget for the blob bytes
  std::size_t keep_per_service = 0;  // most recently used artifacts kept per service
  DryRun dry_run = DryRun::no;       // report what would go, remove nothing
  // Unreferenced blobs whose file changed (ctime) more recently are kept.
  std::chrono::nanoseconds unreferenced_grace = kUnreferencedGrace;
};

enum class RemovalReason { lru, dangling };  // dangling: one of its blob files is missing

struct RemovedArtifact {
  std::string key;
  ArtifactRecord record;
  RemovalReason reason = RemovalReason::lru;
};

struct GcReport {
  bool dry_run = false;
  std::vector<RemovedArtifact> removed;  // in removal order, least recently used first
  std::vector<BlobInfo> removed_blobs;   // blob files deleted, sorted by digest
  std::size_t undecodable_records = 0;   // records that did not decode, in any database (removed)
  std::size_t parsed_records = 0;        // parsed lockfiles dropped (derived from git blobs)
  std::size_t spared_blobs = 0;          // unreferenced blobs younger than the grace period (kept)
  std::size_t kept = 0;                  // artifact records left
  std::size_t ledger_protected = 0;      // of those, pointed to by the ledger
  std::uint64_t bytes_before = 0;        // blob bytes on disk before
  std::uint64_t bytes_after = 0;         // and after (above the budget only when the rest is protected)
  std::uint64_t removed_temp_files = 0;  // temporaries of writers that are gone
  std::uint64_t removed_temp_bytes = 0;
};

// Runs in one write transaction, during which blob files are deleted too, so
// a concurrent ArtifactStore::put never commits a record whose blob gc took.
// Transcripts of removed artifacts go with them unless the key is still some
// service's last_built (`wharf explain` compares against it).
Result<GcReport> collect_garbage(Cache& cache, const GcOptions& options);

}  // namespace wharf::cache
