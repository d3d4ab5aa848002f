// Opening a cache directory safely when several processes start at once, and
// moving an unusable LMDB environment aside so a fresh one can replace it.
#pragma once

#include <string>

#include "util/error.h"

namespace wharf::cache {

// An exclusive flock(2) on <cache dir>/lock, held while alive. Cache::open
// holds it while it opens (and maybe replaces) the environment, so one
// process never moves aside files another is just creating.
class OpenLock {
 public:
  static Result<OpenLock> acquire(const std::string& cache_dir);
  OpenLock(OpenLock&& other) noexcept;
  OpenLock& operator=(OpenLock&&) = delete;
  ~OpenLock();

 private:
  explicit OpenLock(int fd) : fd_(fd) {}
  int fd_;
};

// Renames `dir` to "<dir>.corrupt-<UTC time>-<pid>" and returns the new path.
// Processes that still have the old files open keep using them unharmed.
Result<std::string> move_aside(const std::string& dir);

}  // namespace wharf::cache
