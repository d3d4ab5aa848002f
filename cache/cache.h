// The wharf cache: one LMDB environment (<dir>/db/) with the stat, blob
// digest, artifact, transcript, last_built and ledger databases, and a
// content-addressed blob store (<dir>/blobs/sha256/). Losing or corrupting
// it makes wharf slower, never wrong: an unusable environment is moved aside
// at open with a warning, and a record that does not decode is a miss.
//
// Layout of a cache directory:
//   db/data.mdb, db/lock.mdb   LMDB environment (see cache/lmdb_env.h)
//   db.corrupt-<time>-<pid>/   environments found unusable, kept for a look
//   blobs/sha256/<hex>         artifact bytes, named by their SHA-256: a zip,
//                              or an image's manifest, config and layers, each
//                              stored once however many artifacts list it
//   tmp/                       blobs being written: blob-<pid>-XXXXXX, flocked
//                              by their writer, and blob-<pid>-<hint>-<n> from
//                              BlobStore::temp_path (a packer's layers before
//                              adopt_file); kept while <pid> lives
//   live/<pid>.<n>             one per process with the cache open, flocked
//                              (see cache/live_marker.h)
//   lock                       held while a process opens the environment
//
// After a process died with the cache open (its live/ marker is unlocked),
// the next open checks the environment in a child process (cache/check.h)
// and moves it aside if the check finds damage or dies; if a check itself
// died, the next open moves the environment aside without checking. Either
// way it adds one warning and the run goes on: never two failing runs.
//
// Not thread-safe. Any number of processes may use one directory at once,
// but open a directory at most once per process (an LMDB rule: a second
// environment on the same files in one process breaks its locks).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/artifact_store.h"
#include "cache/blob_store.h"
#include "cache/ledger.h"
#include "cache/live_marker.h"
#include "cache/lmdb_env.h"
#include "cache/records.h"
#include "cache/stat_store.h"

namespace wharf::cache {

struct CacheOptions {
  EnvOptions env;                 // initial map size (tests make it tiny)
  Clock clock = system_clock_ns;  // for created/last used times
};

class Cache {
 public:
  // Opens or creates the cache in `dir`. When the environment is unusable
  // it is moved aside, a sentence saying so is appended to `warnings` (the
  // CLI prints them to stderr) and an empty one is created.
  static Result<std::unique_ptr<Cache>> open(const std::string& dir, std::vector<std::string>& warnings,
                                             const CacheOptions& options = {});

  const std::string& dir() const { return dir_; }
  LmdbEnv& env() { return *env_; }
  const BlobStore& blobs() const { return blobs_; }
  ArtifactStore& artifacts() { return artifacts_; }
  Ledger& ledger() { return ledger_; }

  // --- The artifact API, as the hashing and packing code uses it ---
  Result<std::optional<ArtifactRecord>> find_artifact(std::string_view key) { return artifacts_.find(key); }
  Result<ArtifactRecord> put_artifact(std::string_view key, const ArtifactRecord& record, std::string_view transcript) {
    return artifacts_.put(key, record, transcript);
  }
  Result<bool> touch_artifact(std::string_view key) { return artifacts_.touch(key); }
  Result<std::optional<std::string>> last_built(std::string_view service) { return artifacts_.last_built(service); }
  Result<std::optional<std::string>> transcript(std::string_view key) { return artifacts_.transcript(key); }
  Result<std::vector<std::size_t>> missing_transcripts(std::span<const std::string> keys) {
    return artifacts_.missing_transcripts(keys);
  }
  Result<void> put_transcripts(std::span<const std::string> keys, std::span<const std::string> texts) {
    return artifacts_.put_transcripts(keys, texts);
  }
  Result<PutBlobResult> put_blob(std::string_view bytes) { return blobs_.put_bytes(bytes); }
  Result<PutBlobResult> put_blob_file(const std::string& path) { return blobs_.put_file(path); }
  // See BlobStore::adopt_file, link_file and temp_path.
  Result<PutBlobResult> adopt_blob_file(const std::string& path, std::string_view digest) {
    return blobs_.adopt_file(path, digest);
  }
  Result<PutBlobResult> link_blob_file(const std::string& path, std::string_view digest) {
    return blobs_.link_file(path, digest);
  }
  std::string blob_temp_path(std::string_view hint) const { return blobs_.temp_path(hint); }
  std::string blob_path(std::string_view digest) const { return blobs_.path(digest); }

 private:
  Cache(std::string dir, LiveMarker marker, std::unique_ptr<LmdbEnv> env, const Clock& clock);

  // First, so that it is removed last: after the environment is closed.
  LiveMarker marker_;
  std::string dir_;
  std::unique_ptr<LmdbEnv> env_;
  BlobStore blobs_;
  ArtifactStore artifacts_;
  Ledger ledger_;
};

// Creates `dir` and the .gitignore that keeps git from seeing it as
// untracked (in the work tree by default), if they are missing.
Result<void> prepare_cache_dir(const std::string& dir);

// The cache directory: `flag_value` (--cache-dir) if set, else
// $WHARF_CACHE_DIR if set, else <repo_root>/.wharf/cache. Relative paths are
// made absolute against the working directory. ErrorKind::usage when all
// three are empty (not in a repository and nothing given).
Result<std::string> resolve_cache_dir(std::string_view repo_root, std::string_view flag_value);
// The same with the environment variable's value passed in (nullptr: unset).
Result<std::string> resolve_cache_dir(std::string_view repo_root, std::string_view flag_value, const char* env_value);

}  // namespace wharf::cache
