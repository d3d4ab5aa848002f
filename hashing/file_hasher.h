// Content digests of many files at once, reading as few as possible.
//
// Which hash is used where:
//  - The digest of a file is XXH3-128 of its bytes (of the target string for a
//    symlink; of the 20-byte commit id for a submodule). It never depends on
//    the path, the checkout location or timestamps.
//  - Stat cache (path -> lstat facts + digest): a file whose (size, mtime ns,
//    ctime ns, inode, mode) are unchanged since a non-racy record is not read.
//  - Git index + blob cache (blob id -> digest): a tracked file whose lstat
//    matches its (non-racy) index entry has the content of that blob, so the
//    digest remembered for the blob stands in; this survives fresh clones,
//    branch switches and reverts, where the stat cache misses. The blob cache
//    holds the digest of the checked-out bytes of a clean file with that blob,
//    which equals the blob's bytes unless a git filter (eol, LFS) applies;
//    either way it is only ever filled from bytes actually read.
//  - Otherwise the file is read and hashed (in parallel with oneTBB).
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

// True when two lstats agree on type, size, mtime, ctime, inode and mode.
bool same_file_stat(const fs::FileStat& a, const fs::FileStat& b);

// True when the lstat facts equal the index entry's and the entry is not racy:
// then the file holds the entry's blob (git's own "clean" test).
bool index_says_clean(const IndexFacts& facts, const fs::FileStat& stat);

struct FileToHash {
  std::string path;                    // repository-relative, '/'-separated
  const IndexFacts* index = nullptr;   // when tracked; must outlive hash()
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
  std::uint64_t blob_hits = 0;   // digest from the git index + blob cache
  std::uint64_t files_read = 0;  // contents read and hashed
  std::uint64_t bytes_read = 0;
};

// A racy-guard margin: a stat record only vouches for a file whose mtime is
// older than the record's time by more than this (file-system timestamps come
// from a coarse clock that can lag the precise one by a few ms).
inline constexpr std::int64_t kRacyMarginNs = 50'000'000;

// Hashes files below one root. The caches may be null (then every file is
// read). Not thread-safe itself; uses oneTBB threads inside hash().
class FileHasher {
 public:
  // `root` is prefixed to every path ("" when `fs` resolves relative paths
  // against the work tree already).
  FileHasher(const fs::FileSystem& fs, std::string root, StatCache* stat_cache, BlobDigestCache* blob_cache)
      : fs_(fs), root_(std::move(root)), stat_cache_(stat_cache), blob_cache_(blob_cache) {}

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
  BlobDigestCache* blob_cache_;
  HashStats stats_;
};

}  // namespace wharf::hashing
