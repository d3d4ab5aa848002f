// Content-addressed artifact bytes beside the LMDB environment:
// <cache dir>/blobs/sha256/<64 hex digits> (the layout of an OCI image
// layout's blobs/, so an image's manifest, config and layers are blobs like
// any other and a layer shared by many images is stored once). A blob is
// written to a temporary file in <cache dir>/tmp/, fsynced, renamed into
// place and its directory fsynced, so a blob path either does not exist or
// holds exactly the bytes its name says. Temporaries are named
// blob-<pid>-...: the next writer or gc removes those whose pid is gone and
// whose flock is free (put_* hold one while writing; a pid can be reused,
// the lock cannot), so a killed writer leaves nothing behind for long, and a
// live writer's files are never taken. Callers put the blobs *before*
// committing an LMDB record that names them (ArtifactStore::put checks this).
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
  // The blob file's ctime (ns since the epoch): when it was written, renamed
  // or linked into place. gc spares unreferenced blobs younger than a grace
  // period by it (mtime would be a linked source's, possibly years old).
  std::int64_t changed_ns = 0;
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

  // Moves a file wharf itself wrote, whose SHA-256 its writer computed while
  // writing it, into the store as blob `digest`: fsynced, made 0644 and
  // renamed (usually from a temp_path(), the same file system: no copy).
  // The bytes are NOT hashed again: the writer (the packer) hashed them on
  // the way out, and a second pass over a 300 MB layer would double the
  // cost; so only the size is checked (0 exactly when `digest` is that of
  // no bytes: ErrorKind::corrupt otherwise). When the blob is already stored
  // the file is just removed. On success `path` is gone; on failure it stays
  // (in tmp/, the first sweep after this process ends removes it). Across
  // file systems (EXDEV) it is copied, hashed while copying, then removed.
  // Safe against a concurrent writer of the same digest (same name, same
  // bytes; rename is atomic) and a crash (the blob is there whole or not).
  Result<PutBlobResult> adopt_file(const std::string& path, std::string_view digest) const;

  // Brings in a file wharf does not own (a base image layout's blob) that
  // should be blob `digest`: hard-linked to a temporary in tmp/ (a copy
  // when link() fails: another file system, EPERM, too many links), hashed,
  // and renamed into place; ErrorKind::corrupt naming the file when its
  // SHA-256 is not `digest`. The source is never modified or removed. A
  // linked blob shares its inode with the source: whoever rewrites the
  // source in place (no OCI tool does: blobs are immutable) changes the blob.
  Result<PutBlobResult> link_file(const std::string& path, std::string_view digest) const;

  // A fresh path in tmp/ (no file there yet), named
  // blob-<pid>-<hint>-<n>, for a writer that fills it and hands it to
  // adopt_file(). sweep_temporaries() leaves it alone while this process
  // lives (the pid in the name); once it is gone, the next sweep removes it.
  // `hint` (letters, digits, '.', '_'; others become '_') says what it is.
  std::string temp_path(std::string_view hint) const;

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
  // must hash to `digest`: else an error of `mismatch` kind) to a temp file
  // and renames it into place.
  Result<void> install(std::string_view digest, const std::string& source_path, std::string_view bytes,
                       ErrorKind mismatch = ErrorKind::io) const;
  // Renames a finished temporary into place (and syncs the directory).
  Result<void> rename_into_place(const std::string& temp, std::string_view digest) const;

  std::string blob_dir_;
  std::string tmp_dir_;
};

}  // namespace wharf::cache
