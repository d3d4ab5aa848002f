#include "cache/live_marker.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

namespace wharf::cache {
namespace {

constexpr std::string_view kOpen = "open\n";
constexpr std::string_view kChecking = "checking\n";

std::string live_dir(const std::string& cache_dir) { return cache_dir + "/live"; }

}  // namespace

Result<LiveMarker> LiveMarker::create(const std::string& cache_dir) {
  std::string dir = live_dir(cache_dir);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return fail(ErrorKind::io, fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  }
  for (int n = 0; n < 1000; ++n) {
    std::string path = fmt::format("{}/{}.{}", dir, ::getpid(), n);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) continue;  // a dead process's marker with a reused pid
    if (fd < 0) return fail(ErrorKind::io, fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    if (::flock(fd, LOCK_EX) != 0) {
      int saved = errno;
      ::unlink(path.c_str());
      ::close(fd);
      return fail(ErrorKind::io, fmt::format("cannot lock {}: {}", path, std::strerror(saved)));
    }
    LiveMarker marker(fd, std::move(path));
    marker.set_state(MarkerState::open);
    return marker;
  }
  return fail(ErrorKind::io, fmt::format("cannot find a free marker name in {}", dir));
}

LiveMarker::LiveMarker(LiveMarker&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

LiveMarker::~LiveMarker() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still locked: nobody sees it unlocked
  ::close(fd_);
}

void LiveMarker::set_state(MarkerState state) {
  std::string_view text = state == MarkerState::checking ? kChecking : kOpen;
  // Best effort: a marker without a state reads as `open` (check, not skip).
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, text.data(), text.size(), 0) < 0) return;
}

std::vector<DeadMarker> find_dead_markers(const std::string& cache_dir) {
  std::vector<DeadMarker> dead;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(live_dir(cache_dir), ec), end; !ec && it != end; it.increment(ec)) {
    std::string path = it->path().string();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // removed by its process meanwhile
    struct stat st;
    // Locked: its process is alive. Unlinked once we held the lock: it was
    // closed cleanly between the listing and the lock.
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fstat(fd, &st) == 0 && st.st_nlink > 0) {
      char buffer[16] = {};
      ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
      bool checking = n > 0 && std::string_view(buffer, static_cast<std::size_t>(n)) == kChecking;
      dead.push_back({std::move(path), checking ? MarkerState::checking : MarkerState::open});
    }
    ::close(fd);
  }
  return dead;
}

void remove_markers(const std::vector<DeadMarker>& markers) {
  for (const auto& marker : markers) ::unlink(marker.path.c_str());
}

}  // namespace wharf::cache
