// Reading a file entry's bytes at pack time, with the torn-read check: a file
// that a still-running build rewrites while wharf packs it must fail the
// pack, not produce an artifact mixing two versions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fs/file_system.h"
#include "packer/pack_entry.h"
#include "util/error.h"

namespace wharf::packer {

// Files above this size are streamed in pieces (EntryStream) rather than
// read whole, so packing a 300 MB file holds a few MB of it, not 300.
inline constexpr std::uint64_t kStreamThreshold = std::uint64_t{8} << 20;
inline constexpr std::size_t kStreamPiece = std::size_t{1} << 20;

// The contents of a file entry: its bytes, or the file read into `buffer`.
// The file is lstat'ed before and after the read; ErrorKind::io, naming the
// file and the archive entry, if it is not a regular file, vanished, or its
// size or mtime moved (or the read length differs from the size).
Result<std::string_view> read_entry(const fs::FileSystem& fs, const PackEntry& entry, std::string& buffer);

// The size a file entry will have (lstat for files, the length for bytes),
// to choose between read_entry and EntryStream. Errors as read_entry's.
Result<std::uint64_t> entry_size(const fs::FileSystem& fs, const PackEntry& entry);

// A file entry read in pieces with the same check as read_entry: lstat
// before the first piece, each piece read at its offset, lstat after the
// last (finish()). Not thread-safe; one per entry being packed.
class EntryStream {
 public:
  // Errors as read_entry's. `entry` must outlive the stream.
  static Result<EntryStream> open(const fs::FileSystem& fs, const PackEntry& entry);

  std::uint64_t size() const { return size_; }
  // The next piece of at most `piece` bytes into `buffer`; empty at the end.
  // A file that ends early is the torn-read error.
  Result<std::string_view> next(std::string& buffer, std::size_t piece = kStreamPiece);
  // The lstat after the last piece: ErrorKind::io if the file moved.
  Result<void> finish() const;

 private:
  EntryStream(const fs::FileSystem& fs, const PackEntry& entry, const fs::FileStat& before)
      : fs_(&fs), entry_(&entry), before_(before), size_(before.size) {}

  const fs::FileSystem* fs_;
  const PackEntry* entry_;
  fs::FileStat before_;
  std::uint64_t size_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace wharf::packer
