// The file system of the machine, through POSIX calls.
#pragma once

#include "fs/file_system.h"

namespace wharf::fs {

// POSIX implementation of FileSystem. Relative paths are relative to the
// base directory given at construction (the process's working directory by
// default); lookups go through a descriptor of it (fstatat, openat), which
// spares the kernel walking the base path again for every file of a large
// tree. Immutable after construction, so safe from any number of threads.
class RealFileSystem final : public FileSystem {
 public:
  RealFileSystem() = default;
  // Relative paths resolve against `base_dir` (which should exist; if it
  // cannot be opened, against its path as a string, with the same meaning).
  explicit RealFileSystem(const std::string& base_dir);
  RealFileSystem(const RealFileSystem&) = delete;
  RealFileSystem& operator=(const RealFileSystem&) = delete;
  ~RealFileSystem() override;

  Result<FileStat> stat(const std::string& path) const override;
  Result<std::string> read_file(const std::string& path) const override;
  Result<void> read_file_into(const std::string& path, std::string& buffer) const override;
  Result<void> read_file_range(const std::string& path, std::uint64_t offset, std::size_t size,
                               std::string& buffer) const override;
  Result<std::string> read_link(const std::string& path) const override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path) const override;
  Result<std::vector<DirEntry>> stat_and_list_dir(const std::string& path, FileStat& dir_stat) const override;
  using FileSystem::write_file_atomic;
  Result<void> write_file_atomic(const std::string& path, std::string_view contents, Sync sync) override;
  Result<void> make_dirs(const std::string& path) override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<void> remove(const std::string& path) override;
  std::int64_t now_ns() const override;

 private:
  Result<std::vector<DirEntry>> list_dir_impl(const std::string& path, FileStat* dir_stat) const;
  // `path` for calls without an *at() form: made absolute against the base.
  std::string resolve(const std::string& path) const;
  // The descriptor *at() calls resolve against, and the path to use with it.
  int dir_fd_for(const std::string& path) const { return path.starts_with('/') ? AT_FDCWD_VALUE : base_fd_; }
  static const char* at_path(const std::string& path) { return path.empty() ? "." : path.c_str(); }

  static constexpr int AT_FDCWD_VALUE = -100;  // AT_FDCWD on Linux, without <fcntl.h> here
  std::string base_dir_;
  int base_fd_ = AT_FDCWD_VALUE;
};

}  // namespace wharf::fs
