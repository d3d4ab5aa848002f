// The file system behind an interface, so hashing and the cache can be tested
// without disk and can count what they read (see ../shared/STYLE.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace wharf::fs {

enum class FileType { regular, directory, symlink, other };

// lstat(2) facts that decide whether a file may have changed.
struct FileStat {
  FileType type = FileType::regular;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint32_t mode = 0;  // st_mode (permission and type bits)
};

struct DirEntry {
  std::string name;
  FileType type = FileType::regular;
};

// All paths are absolute or relative to the process's working directory, as
// the implementation defines. Implementations are safe to call from several
// threads at once.
enum class Sync { durable, none };

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // lstat: does not follow a final symlink. ErrorKind::not_found when absent.
  virtual Result<FileStat> stat(const std::string& path) const = 0;
  // Whole contents of a regular file.
  virtual Result<std::string> read_file(const std::string& path) const = 0;
  // Same, into `buffer` (replacing what it held), so a hot loop can reuse one
  // allocation per thread. The default calls read_file().
  virtual Result<void> read_file_into(const std::string& path, std::string& buffer) const {
    auto contents = read_file(path);
    if (!contents) return std::unexpected(contents.error());
    buffer = std::move(*contents);
    return {};
  }
  // Up to `size` bytes of a regular file from `offset`, into `buffer`
  // (replacing what it held; fewer bytes only at the end of the file), so a
  // file of hundreds of MB is read in pieces, never whole. The default reads
  // the whole file and keeps the range.
  virtual Result<void> read_file_range(const std::string& path, std::uint64_t offset, std::size_t size,
                                       std::string& buffer) const {
    auto contents = read_file(path);
    if (!contents) return std::unexpected(contents.error());
    buffer = offset < contents->size() ? contents->substr(offset, size) : std::string();
    return {};
  }
  // Target of a symlink.
  virtual Result<std::string> read_link(const std::string& path) const = 0;
  // Entries of a directory, sorted by name, without "." and "..".
  virtual Result<std::vector<DirEntry>> list_dir(const std::string& path) const = 0;
  // The directory's own lstat facts, taken before its entries are read (so
  // a change during the listing shows as a later mtime), then its entries.
  // The default stats and lists; RealFileSystem fstats the descriptor it
  // lists, saving a path walk per directory.
  virtual Result<std::vector<DirEntry>> stat_and_list_dir(const std::string& path, FileStat& dir_stat) const {
    auto stat_result = stat(path);
    if (!stat_result) return std::unexpected(stat_result.error());
    dir_stat = *stat_result;
    return list_dir(path);
  }
  // Writes to a temporary file beside `path`, fsyncs (Sync::durable) and
  // renames it over `path`: readers see the old or the new contents, never a
  // part. Sync::none skips the fsyncs, for files that are only a cache and
  // are checked when read (a crash may lose them, not corrupt what is kept).
  virtual Result<void> write_file_atomic(const std::string& path, std::string_view contents, Sync sync) = 0;
  Result<void> write_file_atomic(const std::string& path, std::string_view contents) {
    return write_file_atomic(path, contents, Sync::durable);
  }
  virtual Result<void> make_dirs(const std::string& path) = 0;
  virtual Result<void> rename(const std::string& from, const std::string& to) = 0;
  virtual Result<void> remove(const std::string& path) = 0;
  // Current time in ns since the epoch, on the same clock as mtime_ns (for
  // the racy-timestamp guard).
  virtual std::int64_t now_ns() const = 0;
};

}  // namespace wharf::fs
