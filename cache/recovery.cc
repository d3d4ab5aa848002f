#include "cache/recovery.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

namespace wharf::cache {

Result<OpenLock> OpenLock::acquire(const std::string& cache_dir) {
  std::string path = cache_dir + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorKind::io, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int saved = errno;
    ::close(fd);
    return fail(ErrorKind::io, fmt::format("cannot lock {}: {}", path, std::strerror(saved)));
  }
  return OpenLock(fd);
}

OpenLock::OpenLock(OpenLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

OpenLock::~OpenLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

Result<std::string> move_aside(const std::string& dir) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  for (int n = 0; n < 100; ++n) {
    std::string target = fmt::format("{}.corrupt-{}-{}", dir, stamp, ::getpid());
    if (n > 0) target += fmt::format("-{}", n);
    std::error_code ec;
    if (std::filesystem::exists(target, ec)) continue;
    if (::rename(dir.c_str(), target.c_str()) != 0) {
      return fail(ErrorKind::io, fmt::format("cannot move {} aside: {}", dir, std::strerror(errno)));
    }
    return target;
  }
  return fail(ErrorKind::io, fmt::format("cannot find a free name to move {} aside", dir));
}

}  // namespace wharf::cache
