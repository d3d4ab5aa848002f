// An in-memory FileSystem for tests: a map of path -> file, a fake clock, and
// counters of what was read, so tests assert access patterns ("the second run
// read no file") instead of timings.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>

#include "fs/file_system.h"

namespace wharf::fs {

// Paths are plain strings ("/repo/a/b.txt"); directories exist implicitly
// above every file and explicitly after make_dirs(). Every mutation stamps the
// file with the fake clock (mtime and ctime, as a real file system would) and
// a fresh inode number unless stated otherwise; adding, removing or renaming
// an entry stamps its directory, as on a real file system. Thread-safe.
class MemoryFileSystem final : public FileSystem {
 public:
  // The fake clock starts at this many ns since the epoch (2023-11-14).
  static constexpr std::int64_t kStartNs = 1'700'000'000'000'000'000;
  static constexpr std::int64_t kTickNs = 1'000'000'000;

  // Whether set_file keeps the old mtime: simulates "one byte changed, size and
  // mtime kept" (mtime restored with touch -d, or a coarse timestamp). The
  // ctime still changes, as on a real file system.
  enum class KeepTimes { no, yes };

  // Creates or replaces a regular file (a new one gets mode 0644 and a new
  // inode; a replaced one keeps its inode and permissions).
  void set_file(const std::string& path, std::string contents, KeepTimes keep = KeepTimes::no);
  void set_symlink(const std::string& path, std::string target);
  // Sets the permission bits (e.g. 0755), as chmod: ctime changes.
  void chmod(const std::string& path, std::uint32_t permissions);
  // touch: mtime and ctime become now, contents stay.
  void touch(const std::string& path);
  bool exists(const std::string& path) const;

  // Advances the fake clock by `ns` (one second by default).
  void tick(std::int64_t ns = kTickNs);

  // Counters since construction or reset_counters().
  std::uint64_t reads() const { return reads_.load(); }
  std::uint64_t bytes_read() const { return bytes_read_.load(); }
  std::uint64_t stats() const { return stats_.load(); }
  std::uint64_t lists() const { return lists_.load(); }
  std::uint64_t writes() const { return writes_.load(); }
  void reset_counters();
  // Paths passed to read_file/read_file_into, in call order.
  std::vector<std::string> read_log() const;

  Result<FileStat> stat(const std::string& path) const override;
  Result<std::string> read_file(const std::string& path) const override;
  Result<void> read_file_into(const std::string& path, std::string& buffer) const override;
  Result<std::string> read_link(const std::string& path) const override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path) const override;
  using FileSystem::write_file_atomic;
  Result<void> write_file_atomic(const std::string& path, std::string_view contents, Sync sync) override;
  Result<void> make_dirs(const std::string& path) override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<void> remove(const std::string& path) override;
  std::int64_t now_ns() const override;

 private:
  struct Node {
    std::string contents;  // the target for a symlink
    FileType type = FileType::regular;
    std::uint32_t permissions = 0644;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    std::uint64_t inode = 0;
  };
  // Require mutex_.
  bool is_dir_locked(const std::string& path) const;
  // An entry of the parent of `path` was added or removed: stamp the parent,
  // and the parent of each ancestor directory this creates.
  void stamp_parents_locked(const std::string& path);
  Result<std::string> read_locked(const std::string& path) const;

  mutable std::mutex mutex_;
  std::map<std::string, Node> files_;
  std::set<std::string> dirs_;
  std::map<std::string, std::int64_t> dir_mtime_ns_;  // directories changed since the start
  std::int64_t now_ns_ = kStartNs;
  std::uint64_t next_inode_ = 1000;
  mutable std::vector<std::string> read_log_;
  mutable std::atomic<std::uint64_t> reads_{0};
  mutable std::atomic<std::uint64_t> bytes_read_{0};
  mutable std::atomic<std::uint64_t> stats_{0};
  mutable std::atomic<std::uint64_t> lists_{0};
  std::atomic<std::uint64_t> writes_{0};
};

}  // namespace wharf::fs
