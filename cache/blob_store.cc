#include "cache/blob_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "cache/records.h"
#include "cache/sha256.h"
#include "util/unique_fd.h"

namespace wharf::cache {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;

// Temporaries of an older wharf carry no pid and no lock: removed by age.
constexpr auto kStaleTemp = std::chrono::hours(24);

// The writer's pid in "blob-<pid>-XXXXXX", or -1 for other names.
pid_t temp_owner(std::string_view name) {
  if (!name.starts_with("blob-")) return -1;
  name.remove_prefix(5);
  pid_t pid = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end == name.data() || end == name.data() + name.size() || *end != '-') return -1;
  return pid;
}

bool process_alive(pid_t pid) { return pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM; }

// A temporary whose lock is free belongs to a writer that is gone, unless
// its pid still runs: then it may be between mkstemp and flock, or renaming
// after closing (a reused pid keeps an orphan until that process ends).
bool is_orphan(const std::filesystem::directory_entry& entry, std::uint64_t& size) {
  std::string name = entry.path().filename().string();
  pid_t owner = temp_owner(name);
  std::error_code ec;
  if (owner <= 0) {
    auto written = entry.last_write_time(ec);
    size = entry.file_size(ec);
    return !ec && std::filesystem::file_time_type::clock::now() - written > kStaleTemp;
  }
  int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool orphan = ::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fstat(fd, &st) == 0 && !process_alive(owner);
  if (orphan) size = static_cast<std::uint64_t>(st.st_size);
  ::close(fd);
  return orphan;
}

Error errno_error(std::string_view what, const std::string& path) {
  return Error{errno == ENOENT ? ErrorKind::not_found : ErrorKind::io,
               fmt::format("{} {}: {}", what, path, std::strerror(errno))};
}

Result<void> write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_error("cannot write", path));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

// Calls sink(chunk) for each chunk of the file; returns the byte count.
template <class Sink>
Result<std::uint64_t> read_chunks(const std::string& path, Sink&& sink) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::unexpected(errno_error("cannot open", path));
  std::string buffer(kChunk, '\0');
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(errno_error("cannot read", path));
    if (n == 0) return total;
    total += static_cast<std::uint64_t>(n);
    if (auto r = sink(std::string_view(buffer.data(), static_cast<std::size_t>(n))); !r) {
      return std::unexpected(r.error());
    }
  }
}

Result<void> fsync_dir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return std::unexpected(errno_error("cannot sync", dir));
  return ok();
}

}  // namespace

BlobStore::BlobStore(std::string cache_dir)
    : blob_dir_(cache_dir + "/blobs/sha256"), tmp_dir_(std::move(cache_dir) + "/tmp") {}

Result<void> BlobStore::init() const {
  std::error_code ec;
  for (const auto& dir : {blob_dir_, tmp_dir_}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(ErrorKind::io, fmt::format("cannot create {}: {}", dir, ec.message()));
  }
  return ok();
}

std::string BlobStore::path(std::string_view digest) const { return fmt::format("{}/{}", blob_dir_, digest); }

bool BlobStore::contains(std::string_view digest) const {
  struct stat st;
  return is_sha256_hex(digest) && ::stat(path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<PutBlobResult> BlobStore::put_bytes(std::string_view bytes) const {
  PutBlobResult result{sha256_hex(bytes), bytes.size(), false};
  if (contains(result.digest)) return result;
  if (auto r = install(result.digest, "", bytes); !r) return std::unexpected(r.error());
  result.written = true;
  return result;
}

Result<PutBlobResult> BlobStore::put_file(const std::string& source) const {
  Sha256 hash;
  auto size = read_chunks(source, [&](std::string_view chunk) {
    hash.update(chunk);
    return ok();
  });
  if (!size) return std::unexpected(size.error());
  PutBlobResult result{hash.hex_digest(), *size, false};
  if (contains(result.digest)) return result;
  if (auto r = install(result.digest, source, {}); !r) return std::unexpected(r.error());
  result.written = true;
  return result;
}

TempUsage BlobStore::sweep_temporaries() const {
  TempUsage removed;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(tmp_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::uint64_t size = 0;
    std::error_code remove_ec;
    if (is_orphan(*it, size) && std::filesystem::remove(it->path(), remove_ec)) {
      ++removed.files;
      removed.bytes += size;
    }
  }
  return removed;
}

TempUsage BlobStore::temporaries() const {
  TempUsage usage;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(tmp_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    auto size = it->file_size(size_ec);
    if (size_ec) continue;  // renamed into place meanwhile
    ++usage.files;
    usage.bytes += size;
  }
  return usage;
}

namespace {

Result<void> check_digest(std::string_view digest) {
  if (is_sha256_hex(digest)) return ok();
  return fail(ErrorKind::usage, fmt::format("not a SHA-256 blob digest (64 lowercase hex digits): '{}'", digest));
}

// The size of the regular file at `path`.
Result<std::uint64_t> regular_file_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(errno_error("cannot read", path));
  if (!S_ISREG(st.st_mode)) return fail(ErrorKind::usage, fmt::format("{} is not a regular file", path));
  return static_cast<std::uint64_t>(st.st_size);
}

Result<void> fsync_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return std::unexpected(errno_error("cannot sync", path));
  return ok();
}

std::string mismatch_message(ErrorKind kind, const std::string& source, std::string_view digest,
                             std::string_view actual) {
  if (kind == ErrorKind::io) return fmt::format("{} changed while being stored", source);
  return fmt::format("{} is not blob sha256:{}: its bytes hash to sha256:{} (a damaged or altered file)", source,
                     digest, actual);
}

// Keeps a name usable in a file name and short.
std::string file_name_hint(std::string_view hint) {
  std::string out;
  for (char c : hint.substr(0, 40)) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    out.push_back(plain ? c : '_');
  }
  return out.empty() ? "file" : out;
}

}  // namespace

std::string BlobStore::temp_path(std::string_view hint) const {
  // Process-wide, so that two stores (or threads) never hand out one name;
  // the pid makes it unique among processes. A file left under this name by
  // a dead process whose pid we now have is skipped.
  static std::atomic<std::uint64_t> counter{0};
  std::string name = file_name_hint(hint);
  for (;;) {
    std::string temp = fmt::format("{}/blob-{}-{}-{}", tmp_dir_, ::getpid(), name, counter.fetch_add(1));
    struct stat st;
    if (::lstat(temp.c_str(), &st) != 0 && errno == ENOENT) return temp;
  }
}

Result<PutBlobResult> BlobStore::adopt_file(const std::string& source, std::string_view digest) const {
  if (auto r = check_digest(digest); !r) return std::unexpected(r.error());
  auto size = regular_file_size(source);
  if (!size) return std::unexpected(size.error());
  // Not hashed again (see the header): the size is the one cheap check.
  bool empty = digest == sha256_hex("");
  if ((*size == 0) != empty) {
    return fail(ErrorKind::corrupt,
                fmt::format("{} has {} bytes, which cannot be blob sha256:{}", source, *size, digest));
  }
  PutBlobResult result{std::string(digest), *size, false};
  if (contains(digest)) {
    ::unlink(source.c_str());
    return result;
  }
  if (::chmod(source.c_str(), 0644) != 0) return std::unexpected(errno_error("cannot chmod", source));
  if (auto r = fsync_file(source); !r) return std::unexpected(r.error());
  std::string blob = path(digest);
  if (::rename(source.c_str(), blob.c_str()) != 0) {
    if (errno != EXDEV) return std::unexpected(errno_error("cannot rename into", blob_dir_));
    // Another file system: a copy, hashed on the way since it is read anyway.
    if (auto r = install(digest, source, {}, ErrorKind::corrupt); !r) return std::unexpected(r.error());
    ::unlink(source.c_str());
  } else if (auto r = fsync_dir(blob_dir_); !r) {
    return std::unexpected(r.error());
  }
  result.written = true;
  return result;
}

Result<PutBlobResult> BlobStore::link_file(const std::string& source, std::string_view digest) const {
  if (auto r = check_digest(digest); !r) return std::unexpected(r.error());
  auto size = regular_file_size(source);
  if (!size) return std::unexpected(size.error());
  PutBlobResult result{std::string(digest), *size, false};
  if (contains(digest)) return result;
  std::string temp = temp_path("link");
  if (::link(source.c_str(), temp.c_str()) != 0) {
    if (errno == ENOENT) return std::unexpected(errno_error("cannot link", source));
    // Another file system (EXDEV), hard links refused (EPERM: the source is
    // another user's under protected_hardlinks, or the file system has
    // none), too many links (EMLINK): copy instead, hashing on the way.
    if (auto r = install(digest, source, {}, ErrorKind::corrupt); !r) return std::unexpected(r.error());
    result.written = true;
    return result;
  }
  // The temporary is the source's inode: hash it as it is now, sync it (its
  // bytes may not be on disk yet; this writes nothing new), rename it.
  auto installed = [&]() -> Result<std::uint64_t> {
    Sha256 hash;
    auto hashed = read_chunks(temp, [&](std::string_view chunk) {
      hash.update(chunk);
      return ok();
    });
    if (!hashed) return hashed;
    if (std::string actual = hash.hex_digest(); actual != digest) {
      return fail(ErrorKind::corrupt, mismatch_message(ErrorKind::corrupt, source, digest, actual));
    }
    if (auto r = fsync_file(temp); !r) return std::unexpected(r.error());
    if (auto r = rename_into_place(temp, digest); !r) return std::unexpected(r.error());
    return hashed;
  }();
  // Also after a successful rename: when a concurrent link_file of the same
  // source put its link in place first, temp and the blob are one inode and
  // rename() does nothing (POSIX), leaving temp behind.
  ::unlink(temp.c_str());
  if (!installed) return std::unexpected(installed.error());
  result.size = *installed;
  result.written = true;
  return result;
}

Result<void> BlobStore::rename_into_place(const std::string& temp, std::string_view digest) const {
  if (::rename(temp.c_str(), path(digest).c_str()) != 0) {
    return std::unexpected(errno_error("cannot rename into", blob_dir_));
  }
  return fsync_dir(blob_dir_);
}

Result<void> BlobStore::install(std::string_view digest, const std::string& source, std::string_view bytes,
                                ErrorKind mismatch) const {
  sweep_temporaries();  // a writer killed before us left its temporaries
  std::string temp = fmt::format("{}/blob-{}-XXXXXX", tmp_dir_, ::getpid());
  UniqueFd fd(::mkstemp(temp.data()));
  if (fd.get() < 0) return std::unexpected(errno_error("cannot create a temporary file in", tmp_dir_));
  // Held until the file is closed; the kernel lets it go if we die, which
  // tells sweep_temporaries() the file is an orphan. (New file: never blocks.)
  if (::flock(fd.get(), LOCK_EX) != 0) {
    ::unlink(temp.c_str());
    return std::unexpected(errno_error("cannot lock", temp));
  }
  auto written = [&]() -> Result<void> {
    if (::fchmod(fd.get(), 0644) != 0) return std::unexpected(errno_error("cannot chmod", temp));
    if (source.empty()) {
      if (auto r = write_all(fd.get(), bytes, temp); !r) return r;
    } else {
      Sha256 hash;
      auto copied = read_chunks(source, [&](std::string_view chunk) {
        hash.update(chunk);
        return write_all(fd.get(), chunk, temp);
      });
      if (!copied) return std::unexpected(copied.error());
      if (std::string actual = hash.hex_digest(); actual != digest) {
        return fail(mismatch, mismatch_message(mismatch, source, digest, actual));
      }
    }
    if (::fsync(fd.get()) != 0 || !fd.close()) return std::unexpected(errno_error("cannot write", temp));
    return rename_into_place(temp, digest);
  }();
  if (!written) ::unlink(temp.c_str());
  return written;
}

Result<std::string> BlobStore::read(std::string_view digest, Verify verify) const {
  if (!is_sha256_hex(digest)) return fail(ErrorKind::not_found, fmt::format("not a blob digest: '{}'", digest));
  std::string bytes;
  std::string blob = path(digest);
  auto size = read_chunks(blob, [&](std::string_view chunk) {
    bytes.append(chunk);
    return ok();
  });
  if (!size) return std::unexpected(size.error());
  if (verify == Verify::yes && sha256_hex(bytes) != digest) {
    return fail(ErrorKind::corrupt, fmt::format("blob {} does not match its digest", blob));
  }
  return bytes;
}

Result<bool> BlobStore::remove(std::string_view digest) const {
  if (!is_sha256_hex(digest)) return false;
  std::string blob = path(digest);
  if (::unlink(blob.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  return std::unexpected(errno_error("cannot remove", blob));
}

Result<std::vector<BlobInfo>> BlobStore::list() const {
  std::vector<BlobInfo> blobs;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(blob_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!is_sha256_hex(name)) continue;
    struct stat st;
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // removed meanwhile
    blobs.push_back({std::move(name), static_cast<std::uint64_t>(st.st_size),
                     std::int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec});
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return fail(ErrorKind::io, fmt::format("cannot list {}: {}", blob_dir_, ec.message()));
  }
  std::sort(blobs.begin(), blobs.end(), [](const BlobInfo& a, const BlobInfo& b) { return a.digest < b.digest; });
  return blobs;
}

}  // namespace wharf::cache
