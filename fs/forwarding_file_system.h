// A FileSystem that forwards every call to another one, so a test overrides
// only the calls it wants to fail, delay or count (fault injection).
#pragma once

#include "fs/file_system.h"

namespace wharf::fs {

// Does not own `target`, which must outlive it. As thread-safe as `target`
// plus whatever the subclass adds.
class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(FileSystem& target) : target_(target) {}

  Result<FileStat> stat(const std::string& path) const override { return target_.stat(path); }
  Result<std::string> read_file(const std::string& path) const override { return target_.read_file(path); }
  Result<void> read_file_into(const std::string& path, std::string& buffer) const override {
    return target_.read_file_into(path, buffer);
  }
  Result<void> read_file_range(const std::string& path, std::uint64_t offset, std::size_t size,
                               std::string& buffer) const override {
    return target_.read_file_range(path, offset, size, buffer);
  }
  Result<std::string> read_link(const std::string& path) const override { return target_.read_link(path); }
  Result<std::vector<DirEntry>> list_dir(const std::string& path) const override { return target_.list_dir(path); }
  Result<std::vector<DirEntry>> stat_and_list_dir(const std::string& path, FileStat& dir_stat) const override {
    return target_.stat_and_list_dir(path, dir_stat);
  }
  using FileSystem::write_file_atomic;
  Result<void> write_file_atomic(const std::string& path, std::string_view contents, Sync sync) override {
    return target_.write_file_atomic(path, contents, sync);
  }
  Result<void> make_dirs(const std::string& path) override { return target_.make_dirs(path); }
  Result<void> rename(const std::string& from, const std::string& to) override { return target_.rename(from, to); }
  Result<void> remove(const std::string& path) override { return target_.remove(path); }
  std::int64_t now_ns() const override { return target_.now_ns(); }

 protected:
  FileSystem& target() const { return target_; }

 private:
  FileSystem& target_;
};

}  // namespace wharf::fs
