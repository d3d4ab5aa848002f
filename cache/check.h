// Checking a cache after a process died with it open: every database walked,
// every record's seal verified, LMDB's free list read. The walk runs in a
// child process, so that the damaged page which killed the earlier run and
// kills the walk too costs this run nothing but the cache.
#pragma once

#include <string>

#include "cache/lmdb_env.h"

namespace wharf::cache {

struct CheckOutcome {
  bool sound = false;
  std::string detail;  // what was checked, or why the cache is not sound
};

// Opens the environment in `db_dir` in a child process and verifies it
// (LmdbEnv::verify). Not sound when the child finds damage, fails, dies or
// takes longer than `timeout_ms`.
CheckOutcome check_in_child(const std::string& db_dir, const EnvOptions& options, int timeout_ms = 60'000);

}  // namespace wharf::cache
