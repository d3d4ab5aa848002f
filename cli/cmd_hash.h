// What `wharf hash` and `wharf explain` share: the workspace, its git index
// as hashing inputs, the cache, and the keys of the selected services.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cache/cache.h"
#include "cache/stat_store.h"
#include "cli/run.h"
#include "cli/workspace.h"
#include "fs/real_file_system.h"
#include "hashing/file_hasher.h"
#include "hashing/service_key.h"
#include "util/stopwatch.h"

namespace wharf::cli {

struct HashSession {
  std::unique_ptr<Workspace> workspace;  // stable address: the tree's ignore check borrows its repository
  std::unique_ptr<cache::Cache> cache;
  std::unique_ptr<fs::RealFileSystem> fs;  // rooted at the work tree
  hashing::WorkTree tree;
  hashing::HashStats stats;
  std::unique_ptr<hashing::KeySet> keys;
  // Wall time of each phase, for --stats ("where does a cold run go?").
  Stopwatch phases;
};

// Opens the workspace and the cache (--cache-dir, $WHARF_CACHE_DIR, or
// <root>/.wharf/cache), reads the git index, and computes the keys of
// `services` (all when empty; an unknown name is a usage error).
Result<HashSession> hash_services(const GlobalOptions& global, const std::string& cache_dir,
                                  const std::vector<std::string>& services);

// Stores the transcript of each key in `keys` (services and the packages
// they use) that the cache does not have yet, so `wharf explain` can read it.
Result<void> store_transcripts(cache::Cache& cache, const hashing::KeySet& keys);

}  // namespace wharf::cli
