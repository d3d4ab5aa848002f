// The output of a pack: streamed to a file (temp file beside it, renamed into
// place when complete, so no reader ever sees half a zip or layer) or kept in
// memory; hashed with SHA-256 and counted as it is written, so the digest
// costs no second pass over the bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fs/file_system.h"
#include "util/error.h"
#include "util/sha.h"

namespace wharf::packer {

// Where to write: `path` empty means in memory (PackedBlob::bytes).
struct BlobTarget {
  std::string path;
  fs::Sync sync = fs::Sync::durable;  // fsync the file before the rename

  static BlobTarget memory() { return {}; }
  static BlobTarget file(std::string path, fs::Sync sync = fs::Sync::durable) { return {std::move(path), sync}; }
};

struct PackedBlob {
  std::string path;    // the file written (file targets)
  std::string bytes;   // the bytes (memory targets)
  std::string sha256;  // 64 lowercase hex digits, as the cache's blob store names blobs
  std::uint64_t size = 0;

  std::string digest() const { return "sha256:" + sha256; }  // OCI form
};

// Not thread-safe: one writer per output, fed in order.
class BlobWriter {
 public:
  // ErrorKind::io when the temporary file cannot be created.
  static Result<BlobWriter> open(const BlobTarget& target);
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter();  // removes the temporary file unless finish() succeeded

  Result<void> write(std::string_view bytes);
  // Flushes, fsyncs (Sync::durable), renames over the target path.
  Result<PackedBlob> finish();

 private:
  BlobWriter(BlobTarget target, int fd, std::string temp_path);
  Result<void> flush();

  BlobTarget target_;
  int fd_ = -1;
  std::string temp_path_;
  std::string buffer_;  // batches small writes (zip headers) into large ones
  Sha256 sha_;
  std::uint64_t size_ = 0;
};

}  // namespace wharf::packer
