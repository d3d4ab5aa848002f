#include "fs/memory_file_system.h"

#include <sys/stat.h>

#include <fmt/format.h>

namespace wharf::fs {
namespace {

std::unexpected<Error> missing(std::string_view what, const std::string& path) {
  return fail(ErrorKind::not_found, fmt::format("cannot {} {}: No such file or directory", what, path));
}

std::string strip_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string parent_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void MemoryFileSystem::stamp_parents_locked(const std::string& path) {
  std::string child = path;
  for (;;) {
    std::string parent = parent_of(child);
    if (parent.empty()) return;
    bool existed = is_dir_locked(parent);
    dir_mtime_ns_[parent] = now_ns_;
    if (existed || parent == "/") return;
    child = parent;
  }
}

void MemoryFileSystem::set_file(const std::string& path, std::string contents, KeepTimes keep) {
  std::lock_guard lock(mutex_);
  if (!files_.contains(path)) stamp_parents_locked(path);
  auto [it, inserted] = files_.try_emplace(path);
  Node& node = it->second;
  if (inserted || node.type != FileType::regular) {
    node.inode = next_inode_++;
    node.permissions = 0644;
    node.mtime_ns = now_ns_;
  }
  node.type = FileType::regular;
  node.contents = std::move(contents);
  if (keep == KeepTimes::no) node.mtime_ns = now_ns_;
  node.ctime_ns = now_ns_;
  writes_++;
}

void MemoryFileSystem::set_symlink(const std::string& path, std::string target) {
  std::lock_guard lock(mutex_);
  if (!files_.contains(path)) stamp_parents_locked(path);
  Node& node = files_[path];
  node = Node{std::move(target), FileType::symlink, 0777, now_ns_, now_ns_, next_inode_++};
  writes_++;
}

void MemoryFileSystem::chmod(const std::string& path, std::uint32_t permissions) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  if (it == files_.end()) return;
  it->second.permissions = permissions & 07777;
  it->second.ctime_ns = now_ns_;
}

void MemoryFileSystem::touch(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  if (it == files_.end()) return;
  it->second.mtime_ns = now_ns_;
  it->second.ctime_ns = now_ns_;
}

bool MemoryFileSystem::exists(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return files_.contains(path) || is_dir_locked(path);
}

void MemoryFileSystem::tick(std::int64_t ns) {
  std::lock_guard lock(mutex_);
  now_ns_ += ns;
}

void MemoryFileSystem::reset_counters() {
  std::lock_guard lock(mutex_);
  reads_ = 0;
  bytes_read_ = 0;
  stats_ = 0;
  lists_ = 0;
  writes_ = 0;
  read_log_.clear();
}

std::vector<std::string> MemoryFileSystem::read_log() const {
  std::lock_guard lock(mutex_);
  return read_log_;
}

bool MemoryFileSystem::is_dir_locked(const std::string& path) const {
  std::string dir = strip_trailing_slash(path);
  if (dirs_.contains(dir) || dir == "/") return true;
  std::string prefix = dir + "/";
  auto it = files_.lower_bound(prefix);
  if (it != files_.end() && it->first.starts_with(prefix)) return true;
  auto d = dirs_.lower_bound(prefix);
  return d != dirs_.end() && d->starts_with(prefix);
}

Result<FileStat> MemoryFileSystem::stat(const std::string& path) const {
  std::lock_guard lock(mutex_);
  stats_++;
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (!is_dir_locked(path)) return missing("stat", path);
    FileStat dir;
    dir.type = FileType::directory;
    dir.mode = S_IFDIR | 0755;
    dir.inode = std::hash<std::string>{}(strip_trailing_slash(path));
    auto stamped = dir_mtime_ns_.find(strip_trailing_slash(path));
    dir.mtime_ns = dir.ctime_ns = stamped == dir_mtime_ns_.end() ? kStartNs : stamped->second;
    return dir;
  }
  const Node& node = it->second;
  FileStat out;
  out.type = node.type;
  out.size = node.contents.size();
  out.mtime_ns = node.mtime_ns;
  out.ctime_ns = node.ctime_ns;
  out.inode = node.inode;
  out.mode = (node.type == FileType::symlink ? S_IFLNK : S_IFREG) | node.permissions;
  return out;
}

Result<std::string> MemoryFileSystem::read_locked(const std::string& path) const {
  reads_++;
  read_log_.push_back(path);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (is_dir_locked(path)) return fail(ErrorKind::io, fmt::format("cannot read {}: is a directory", path));
    return missing("open", path);
  }
  if (it->second.type == FileType::symlink) {
    // read_file follows links, as open(2) does: one level is enough for tests.
    auto target = files_.find(it->second.contents);
    if (target == files_.end()) return missing("open", path);
    bytes_read_ += target->second.contents.size();
    return target->second.contents;
  }
  bytes_read_ += it->second.contents.size();
  return it->second.contents;
}

Result<std::string> MemoryFileSystem::read_file(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return read_locked(path);
}

Result<void> MemoryFileSystem::read_file_into(const std::string& path, std::string& buffer) const {
  std::lock_guard lock(mutex_);
  auto contents = read_locked(path);
  if (!contents) return std::unexpected(contents.error());
  buffer = std::move(*contents);
  return ok();
}

Result<std::string> MemoryFileSystem::read_link(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  if (it == files_.end()) return missing("read link", path);
  if (it->second.type != FileType::symlink) {
    return fail(ErrorKind::io, fmt::format("cannot read link {}: Invalid argument", path));
  }
  return it->second.contents;
}

Result<std::vector<DirEntry>> MemoryFileSystem::list_dir(const std::string& path) const {
  std::lock_guard lock(mutex_);
  lists_++;
  std::string dir = strip_trailing_slash(path);
  if (!is_dir_locked(dir)) {
    if (files_.contains(dir)) return fail(ErrorKind::io, fmt::format("cannot list {}: Not a directory", path));
    return missing("list", path);
  }
  std::string prefix = dir == "/" ? "/" : dir + "/";
  std::map<std::string, FileType> children;
  auto add_child = [&](const std::string& full, FileType leaf_type) {
    std::string_view rest = std::string_view(full).substr(prefix.size());
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      children.emplace(std::string(rest), leaf_type);
    } else {
      children[std::string(rest.substr(0, slash))] = FileType::directory;
    }
  };
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix); ++it) {
    add_child(it->first, it->second.type);
  }
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->starts_with(prefix); ++it) {
    add_child(*it, FileType::directory);
  }
  std::vector<DirEntry> entries;
  entries.reserve(children.size());
  for (auto& [name, type] : children) entries.push_back(DirEntry{name, type});
  return entries;
}

Result<void> MemoryFileSystem::write_file_atomic(const std::string& path, std::string_view contents, Sync /*sync*/) {
  set_file(path, std::string(contents));
  return ok();
}

Result<void> MemoryFileSystem::make_dirs(const std::string& path) {
  std::lock_guard lock(mutex_);
  std::string dir = strip_trailing_slash(path);
  if (files_.contains(dir))
    return fail(ErrorKind::io, fmt::format("cannot create directory {}: a file is in the way", path));
  if (!is_dir_locked(dir)) stamp_parents_locked(dir);
  dirs_.insert(dir);
  return ok();
}

Result<void> MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(from);
  if (it == files_.end()) return missing("rename", from);
  Node node = std::move(it->second);
  files_.erase(it);
  stamp_parents_locked(from);
  if (!files_.contains(to)) stamp_parents_locked(to);
  node.ctime_ns = now_ns_;
  files_[to] = std::move(node);
  writes_++;
  return ok();
}

Result<void> MemoryFileSystem::remove(const std::string& path) {
  std::lock_guard lock(mutex_);
  if (files_.erase(path) == 1 || dirs_.erase(strip_trailing_slash(path)) == 1) {
    stamp_parents_locked(path);
    writes_++;
    return ok();
  }
  return missing("remove", path);
}

std::int64_t MemoryFileSystem::now_ns() const {
  std::lock_guard lock(mutex_);
  return now_ns_;
}

}  // namespace wharf::fs
