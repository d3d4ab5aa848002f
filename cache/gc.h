// Garbage collection: removes artifacts least recently used first until the
// blob bytes fit a budget, keeping the newest few per service and anything
// the deploy ledger points to, and deletes blob files nothing refers to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "cache/cache.h"
#include "cache/records.h"

namespace wharf::cache {

enum class DryRun { no, yes };

struct GcOptions {
  std::uint64_t max_size_bytes = 0;  // budget for the blob bytes
  std::size_t keep_per_service = 0;  // most recently used artifacts kept per service
  DryRun dry_run = DryRun::no;       // report what would go, remove nothing
};

enum class RemovalReason { lru, dangling };  // dangling: its blob file is missing

struct RemovedArtifact {
  std::string key;
  ArtifactRecord record;
  RemovalReason reason = RemovalReason::lru;
};

struct GcReport {
  bool dry_run = false;
  std::vector<RemovedArtifact> removed;  // in removal order, least recently used first
  std::vector<BlobInfo> removed_blobs;   // blob files deleted, sorted by digest
  std::size_t undecodable_records = 0;   // artifact records that did not decode (removed)
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
