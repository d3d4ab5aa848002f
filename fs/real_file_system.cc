#include "fs/real_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "util/text.h"
#include "util/unique_fd.h"

namespace wharf::fs {
namespace {

std::unexpected<Error> errno_error(std::string_view what, const std::string& path, int err) {
  ErrorKind kind = (err == ENOENT || err == ENOTDIR) ? ErrorKind::not_found : ErrorKind::io;
  return fail(kind, fmt::format("{} {}: {}", what, printable(path, 300), std::strerror(err)));
}

FileType type_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return FileType::regular;
  if (S_ISDIR(mode)) return FileType::directory;
  if (S_ISLNK(mode)) return FileType::symlink;
  return FileType::other;
}

std::int64_t to_ns(const struct timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Reads until `size` bytes are in or the file ends: read(2) from the
// current position when offset < 0, else pread(2) from offset. Returns how
// many bytes came.
Result<std::size_t> read_until_full(int fd, char* data, std::size_t size, std::int64_t offset,
                                    const std::string& path) {
  std::size_t used = 0;
  while (used < size) {
    ssize_t n = offset < 0 ? ::read(fd, data + used, size - used)
                           : ::pread(fd, data + used, size - used, static_cast<off_t>(offset + used));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", path, errno);
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  return used;
}

Result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

FileStat to_file_stat(const struct stat& st) {
  FileStat out;
  out.type = type_of_mode(st.st_mode);
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.mtime_ns = to_ns(st.st_mtim);
  out.ctime_ns = to_ns(st.st_ctim);
  out.inode = static_cast<std::uint64_t>(st.st_ino);
  out.mode = static_cast<std::uint32_t>(st.st_mode);
  return out;
}

std::string parent_dir(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

static_assert(AT_FDCWD == -100, "RealFileSystem::AT_FDCWD_VALUE must equal AT_FDCWD");

RealFileSystem::RealFileSystem(const std::string& base_dir) : base_dir_(base_dir) {
  int fd = ::open(base_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) base_fd_ = fd;
}

RealFileSystem::~RealFileSystem() {
  if (base_fd_ >= 0) ::close(base_fd_);
}

std::string RealFileSystem::resolve(const std::string& path) const {
  if (base_dir_.empty() || path.starts_with('/')) return path;
  return path.empty() ? base_dir_ : base_dir_ + "/" + path;
}

Result<FileStat> RealFileSystem::stat(const std::string& path) const {
  struct stat st;
  int rc = base_fd_ >= 0 ? ::fstatat(dir_fd_for(path), at_path(path), &st, AT_SYMLINK_NOFOLLOW)
                         : ::lstat(resolve(path).c_str(), &st);
  if (rc != 0) return errno_error("cannot stat", path, errno);
  return to_file_stat(st);
}

Result<std::string> RealFileSystem::read_file(const std::string& path) const {
  std::string contents;
  auto result = read_file_into(path, contents);
  if (!result) return std::unexpected(result.error());
  return contents;
}

Result<void> RealFileSystem::read_file_into(const std::string& path, std::string& buffer) const {
  int fd = base_fd_ >= 0 ? ::openat(dir_fd_for(path), at_path(path), O_RDONLY | O_CLOEXEC)
                         : ::open(resolve(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open", path, errno);
  UniqueFd closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return errno_error("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) return fail(ErrorKind::io, fmt::format("cannot read {}: is a directory", path));
  // Reads the st_size bytes fstat promised, without a further read() to
  // see EOF (a syscall per file on the hot path). A file that changes while
  // it is read changes its stat too, so no cache keeps the mixed result.
  // Files whose size the kernel does not know (st_size 0: /proc) are read
  // to EOF.
  const auto expected = static_cast<std::size_t>(st.st_size);
  const bool to_eof = expected == 0;
  buffer.resize(to_eof ? 4096 : expected);
  std::size_t used = 0;
  while (true) {
    auto n = read_until_full(fd, buffer.data() + used, buffer.size() - used, -1, path);
    if (!n) return std::unexpected(n.error());
    used += *n;
    if (!to_eof || used < buffer.size()) break;
    buffer.resize(buffer.size() * 2);
  }
  buffer.resize(used);
  return ok();
}

Result<void> RealFileSystem::read_file_range(const std::string& path, std::uint64_t offset, std::size_t size,
                                             std::string& buffer) const {
  int fd = base_fd_ >= 0 ? ::openat(dir_fd_for(path), at_path(path), O_RDONLY | O_CLOEXEC)
                         : ::open(resolve(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open", path, errno);
  UniqueFd closer(fd);
  buffer.resize(size);
  auto n = read_until_full(fd, buffer.data(), size, static_cast<std::int64_t>(offset), path);
  if (!n) return std::unexpected(n.error());
  buffer.resize(*n);
  return ok();
}

Result<std::string> RealFileSystem::read_link(const std::string& path) const {
  std::string target(256, '\0');
  for (;;) {
    ssize_t n = base_fd_ >= 0 ? ::readlinkat(dir_fd_for(path), at_path(path), target.data(), target.size())
                              : ::readlink(resolve(path).c_str(), target.data(), target.size());
    if (n < 0) return errno_error("cannot read link", path, errno);
    if (static_cast<std::size_t>(n) < target.size()) {
      target.resize(static_cast<std::size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

Result<std::vector<DirEntry>> RealFileSystem::list_dir(const std::string& path) const {
  return list_dir_impl(path, nullptr);
}

Result<std::vector<DirEntry>> RealFileSystem::stat_and_list_dir(const std::string& path, FileStat& dir_stat) const {
  return list_dir_impl(path, &dir_stat);
}

Result<std::vector<DirEntry>> RealFileSystem::list_dir_impl(const std::string& path, FileStat* dir_stat) const {
  // getdents64 on the descriptor: opendir/fdopendir would add an fstat and
  // two fcntl calls per directory, a third of a cold `wharf hash` on a tree
  // of 23k directories (strace -c).
  int fd = base_fd_ >= 0 ? ::openat(dir_fd_for(path), at_path(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                         : ::open(resolve(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot list", path, errno);
  if (dir_stat) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return errno_error("cannot stat", path, err);
    }
    *dir_stat = to_file_stat(st);
  }
  std::vector<DirEntry> entries;
  alignas(struct dirent64) char buffer[32 * 1024];
  while (true) {
    ssize_t got = ::getdents64(fd, buffer, sizeof(buffer));
    if (got < 0) {
      int err = errno;
      ::close(fd);
      return errno_error("cannot list", path, err);
    }
    if (got == 0) break;
    for (ssize_t offset = 0; offset < got;) {
      const auto* ent = reinterpret_cast<const struct dirent64*>(buffer + offset);
      offset += ent->d_reclen;
      std::string_view name = ent->d_name;
      if (name == "." || name == "..") continue;
      DirEntry entry{std::string(name), FileType::other};
      switch (ent->d_type) {
        case DT_REG:
          entry.type = FileType::regular;
          break;
        case DT_DIR:
          entry.type = FileType::directory;
          break;
        case DT_LNK:
          entry.type = FileType::symlink;
          break;
        case DT_UNKNOWN: {  // some file systems do not fill d_type
          struct stat st;
          if (::fstatat(fd, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) entry.type = type_of_mode(st.st_mode);
          break;
        }
        default:
          break;
      }
      entries.push_back(std::move(entry));
    }
  }
  ::close(fd);
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return entries;
}

Result<void> RealFileSystem::write_file_atomic(const std::string& given, std::string_view contents, Sync sync) {
  const std::string path = resolve(given);
  static std::atomic<unsigned> counter{0};
  std::string temp = fmt::format("{}.tmp.{}.{}", path, ::getpid(), counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("cannot create", temp, errno);
  UniqueFd closer(fd);
  auto cleanup_on_error = [&](std::unexpected<Error> error) -> Result<void> {
    ::close(closer.release());
    ::unlink(temp.c_str());
    return error;
  };
  if (auto written = write_all(fd, contents, temp); !written) return cleanup_on_error(std::unexpected(written.error()));
  if (sync == Sync::durable && ::fsync(fd) != 0) return cleanup_on_error(errno_error("cannot fsync", temp, errno));
  if (::close(closer.release()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return errno_error("cannot close", temp, err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return errno_error("cannot rename onto", path, err);
  }
  if (sync == Sync::none) return ok();
  // Make the rename itself durable.
  int dir_fd = ::open(parent_dir(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return ok();
}

Result<void> RealFileSystem::make_dirs(const std::string& given) {
  if (given.empty()) return ok();
  const std::string path = resolve(given);
  std::size_t pos = 0;
  for (;;) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return errno_error("cannot create directory", prefix, errno);
    }
    if (pos == std::string::npos) break;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return errno_error("cannot create directory", path, errno);
  if (!S_ISDIR(st.st_mode))
    return fail(ErrorKind::io, fmt::format("cannot create directory {}: a file is in the way", path));
  return ok();
}

Result<void> RealFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(resolve(from).c_str(), resolve(to).c_str()) != 0)
    return errno_error(fmt::format("cannot rename {} to", from), to, errno);
  return ok();
}

Result<void> RealFileSystem::remove(const std::string& given) {
  const std::string path = resolve(given);
  if (::unlink(path.c_str()) == 0) return ok();
  if (errno == EISDIR || errno == EPERM) {
    if (::rmdir(path.c_str()) == 0) return ok();
  }
  return errno_error("cannot remove", path, errno);
}

std::int64_t RealFileSystem::now_ns() const {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return to_ns(ts);
}

}  // namespace wharf::fs
