// The file system of the machine, through POSIX calls.
#pragma once

#include "fs/file_system.h"

namespace wharf::fs {

// POSIX implementation of FileSystem. Relative paths are relative to the
// process's working directory. Stateless, so safe from any number of threads.
class RealFileSystem final : public FileSystem {
 public:
  Result<FileStat> stat(const std::string& path) const override;
  Result<std::string> read_file(const std::string& path) const override;
  Result<void> read_file_into(const std::string& path, std::string& buffer) const override;
  Result<std::string> read_link(const std::string& path) const override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path) const override;
  Result<void> write_file_atomic(const std::string& path, std::string_view contents) override;
  Result<void> make_dirs(const std::string& path) override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<void> remove(const std::string& path) override;
  std::int64_t now_ns() const override;
};

}  // namespace wharf::fs
