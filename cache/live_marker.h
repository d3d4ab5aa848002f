// Which processes have a cache open, so that the next run notices one that
// died with it open (any signal, kill -9 included) and checks the cache
// before trusting it (cache/check.h, Cache::open).
//
// Each process that opens the cache creates <cache dir>/live/<pid>.<n> and
// holds an flock(2) on it until it closes the cache, when it removes the
// file and then lets the lock go. The kernel drops the lock of a process
// that dies, so a marker whose lock can be taken belongs to a dead process;
// a live process's marker is never taken for a dead one, whatever its pid
// became meanwhile. The common path costs an open, an flock and a readdir of
// live/ at open, and an unlink at close.
//
// Create and scan markers only while holding OpenLock (Cache::open does), so
// a marker is never seen between its creation and its lock.
#pragma once

#include <string>
#include <vector>

#include "util/error.h"

namespace wharf::cache {

// What the process was doing when it died: `checking` means it died while
// checking the cache after an earlier crash, so the next run must not check
// again (it would likely crash the same way) but move the cache aside.
enum class MarkerState { open, checking };

class LiveMarker {
 public:
  static Result<LiveMarker> create(const std::string& cache_dir);
  LiveMarker(LiveMarker&& other) noexcept;
  LiveMarker& operator=(LiveMarker&&) = delete;
  // Removes the file, then releases the lock: a clean close.
  ~LiveMarker();

  void set_state(MarkerState state);
  const std::string& path() const { return path_; }

 private:
  LiveMarker(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

struct DeadMarker {
  std::string path;
  MarkerState state = MarkerState::open;
};

// The markers in <cache dir>/live/ that no live process holds.
std::vector<DeadMarker> find_dead_markers(const std::string& cache_dir);
// Removes them (after the cache was checked or moved aside).
void remove_markers(const std::vector<DeadMarker>& markers);

}  // namespace wharf::cache
