// Content-addressed artifact bytes beside the LMDB environment:
// <cache dir>/blobs/sha256/<64 hex digits>. A blob is written to a temporary
// file in <cache dir>/tmp/, fsynced, renamed into place and its directory
// fsynced, so a blob path either does not exist or holds exactly the bytes
// its name says. The temporary is named blob-<pid>-XXXXXX and its writer
// holds an flock on it, so the next writer or gc removes the temporaries of
// a writer that died (killed mid-write) as soon as it is gone, and never
// one a live writer owns. Callers put the blob *before* committing an LMDB record
// that names it (ArtifactStore::put checks this).
//
// Thread and process safety: any number of writers may put the same or
// different blobs at once (rename is atomic; same name means same bytes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace wharf::cache {

enum class Verify { no, yes };

struct PutBlobResult {
  std::string digest;  // SHA-256, 64 lowercase hex digits
  std::uint64_t size = 0;
  bool written = false;  // false when the blob was already stored
};

struct TempUsage {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

struct BlobInfo {
  std::string digest;
  std::uint64_t size = 0;
};

class BlobStore {
 public:
  explicit BlobStore(std::string cache_dir);

  // Creates blobs/sha256/ and tmp/ if missing.
  Result<void> init() const;

  // Stores bytes; when a blob with this digest exists nothing is written.
  Result<PutBlobResult> put_bytes(std::string_view bytes) const;
  // Stores a file's contents (read once to hash it and, if new, once more
  // to copy; a file that changes in between is an ErrorKind::io error).
  Result<PutBlobResult> put_file(const std::string& path) const;

  // Where a blob lives (whether or not it exists).
  std::string path(std::string_view digest) const;
  bool contains(std::string_view digest) const;
  // The blob's bytes; with Verify::yes a mismatch is ErrorKind::corrupt.
  // ErrorKind::not_found when absent.
  Result<std::string> read(std::string_view digest, Verify verify = Verify::no) const;
  // Whether it existed.
  Result<bool> remove(std::string_view digest) const;
  // Every stored blob, sorted by digest (files with other names are ignored).
  Result<std::vector<BlobInfo>> list() const;

  // Removes the temporaries in tmp/ that no live writer owns (older names
  // without a pid: after 24 hours). Returns what it removed.
  TempUsage sweep_temporaries() const;
  // The files in tmp/, live or not.
  TempUsage temporaries() const;

  const std::string& blob_dir() const { return blob_dir_; }
  const std::string& tmp_dir() const { return tmp_dir_; }

 private:
  // Writes `bytes` (or, when source_path is set, that file's contents, which
  // must still hash to `digest`) to a temp file and renames it into place.
  Result<void> install(std::string_view digest, const std::string& source_path, std::string_view bytes) const;

  std::string blob_dir_;
  std::string tmp_dir_;
};

}  // namespace wharf::cache
