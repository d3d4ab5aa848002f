// Content digests of many files at once, reading as few as possible.
//
// Which hash is used where:
//  - A tracked file whose bytes are its git index blob: the git blob id stands
//    in for the content hash, as blob_stand_in(id) (XXH3-128 of a tag and the
//    20-byte id). Git's own "clean" test (the lstat matches the non-racy index
//    entry) proves it with no read at all; a tracked file that must be read
//    (touched, re-checked-out) gets the stand-in too when the git blob SHA-1
//    of its bytes equals the index's, so touching a file never changes a key.
//  - Any other file (untracked, or modified and not staged): XXH3-128 of its
//    bytes (of the target string for a symlink).
//  - A submodule: blob_stand_in of its commit id.
//  A digest never depends on the path, the checkout location or timestamps;
//  a fresh clone, a branch switch or a revert gives the digests a committed
//  tree always had. (Staging a modified file switches its digest from XXH3 to
//  the stand-in: one extra build, never a wrong reuse.)
//  - Stat cache (path -> lstat facts + digest): a file that had to be read is
//    not read again while its (size, mtime ns, ctime ns, inode, mode) stay and
//    the record is not racy.
//  - Reads and hashes run in parallel with oneTBB.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/file_system.h"
#include "hashing/stat_cache.h"
#include "util/error.h"

namespace wharf::hashing {

// git's file modes, as they go into keys.
inline constexpr std::uint32_t kGitModeFile = 0100644;
inline constexpr std::uint32_t kGitModeExecutable = 0100755;
inline constexpr std::uint32_t kGitModeSymlink = 0120000;
inline constexpr std::uint32_t kGitModeGitlink = 0160000;

// The git mode of an lstat: symlink, executable (owner x bit) or plain file.
std::uint32_t git_mode_of(const fs::FileStat& stat);

// What the git index records for a tracked path: its blob and the lstat facts
// git saw when it last checked the file, as stored (seconds, ino and size are
// truncated to 32 bits in the index).
struct IndexFacts {
  std::array<std::uint8_t, 20> blob_id{};  // raw SHA-1
  std::uint32_t mode = 0;                  // git mode (kGitMode*)
  std::uint32_t mtime_sec = 0;
  std::uint32_t mtime_nsec = 0;
  std::uint32_t ctime_sec = 0;
  std::uint32_t ctime_nsec = 0;
  std::uint32_t ino = 0;
  std::uint32_t size = 0;
  // The entry's mtime is not older than the index file: the file may have
  // changed within the same tick after git looked, so the facts prove nothing.
  bool racy = false;

  std::string_view blob_key() const {
    return std::string_view(reinterpret_cast<const char*>(blob_id.data()), blob_id.size());
  }
};

// The digest that stands in for the content of the git blob `blob_id`.
Digest128 blob_stand_in(std::string_view blob_id);

// git's blob id of `bytes` (SHA-1 of "blob <size>\0" + bytes), 20 raw bytes.
std::array<std::uint8_t, 20> git_blob_id(std::string_view bytes);

// True when two lstats agree on type, size, mtime, ctime, inode and mode.
bool same_file_stat(const fs::FileStat& a, const fs::FileStat& b);

// True when the lstat facts equal the index entry's and the entry is not racy:
// then the file holds the entry's blob (git's own "clean" test).
bool index_says_clean(const IndexFacts& facts, const fs::FileStat& stat);

struct FileToHash {
  std::string path;                   // repository-relative, '/'-separated
  const IndexFacts* index = nullptr;  // when tracked; must outlive hash()
};

struct HashedFile {
  // False when the path does not exist (deleted in the work tree) or is not a
  // file, symlink or submodule (e.g. a directory now): not an input.
  bool present = false;
  std::uint32_t mode = 0;  // git mode
  Digest128 digest{};
};

// Counters for tests and --stats ("a warm run reads nothing").
struct HashStats {
  std::uint64_t files = 0;       // paths asked about
  std::uint64_t stat_hits = 0;   // digest from the stat cache
  std::uint64_t blob_hits = 0;   // git blob id stood in (index says clean): no read
  std::uint64_t files_read = 0;  // contents read and hashed
  std::uint64_t bytes_read = 0;
};

// A racy-guard margin: a stat record only vouches for a file whose mtime is
// older than the record's time by more than this (file-system timestamps come
// from a coarse clock that can lag the precise one by a few ms).
inline constexpr std::int64_t kRacyMarginNs = 50'000'000;

// Hashes files below one root. The stat cache may be null (then every file
// the index does not vouch for is read). Not thread-safe itself; uses oneTBB threads inside hash().
class FileHasher {
 public:
  // `root` is prefixed to every path ("" when `fs` resolves relative paths
  // against the work tree already).
  FileHasher(const fs::FileSystem& fs, std::string root, StatCache* stat_cache)
      : fs_(fs), root_(std::move(root)), stat_cache_(stat_cache) {}

  // One result per input, in input order. Fails (ErrorKind::io) when a file
  // that exists cannot be read; then nothing is committed to the caches.
  // New cache records are committed before returning.
  Result<std::vector<HashedFile>> hash(std::span<const FileToHash> files);

  // Accumulated over all hash() calls.
  const HashStats& stats() const { return stats_; }

 private:
  const fs::FileSystem& fs_;
  std::string root_;
  StatCache* stat_cache_;
  HashStats stats_;
};

}  // namespace wharf::hashing
