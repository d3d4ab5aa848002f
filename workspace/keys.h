// The input keys of services in a workspace, as `wharf hash`, `explain` and
// `build` compute them: the git index as the list of tracked files, the
// cache's stat records so unchanged files are not read, and the transcript of
// each key stored in the cache for `wharf explain`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fs/real_file_system.h"
#include "hashing/file_hasher.h"
#include "hashing/service_key.h"
#include "util/stopwatch.h"
#include "vcs/index.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

// The services named (all, in config order, when `names` is empty; each
// once). ErrorKind::usage for an unknown name, with the nearest one.
Result<std::vector<const graph::Service*>> select_services(const graph::Graph& graph,
                                                           const std::vector<std::string>& names);

// The index entries as hashing sees them.
std::vector<hashing::TrackedFile> tracked_files(std::vector<vcs::IndexEntry> entries);

struct KeyRun {
  std::unique_ptr<fs::RealFileSystem> fs;  // rooted at the work tree
  hashing::WorkTree tree;
  hashing::HashStats stats;
  std::unique_ptr<hashing::KeySet> keys;
  Stopwatch phases;  // wall time of each step, for --stats
};

// Opens the cache, reads the git index, computes the keys of `services`
// (see select_services) and stores the transcripts the cache lacks.
Result<KeyRun> compute_keys(Workspace& workspace, const std::vector<std::string>& services);

// One service's key and whether an artifact for it is cached.
struct KeyStatus {
  std::string name;
  std::string key;  // 32 hex digits
  bool cached = false;
  std::size_t files = 0;
};
Result<std::vector<KeyStatus>> key_statuses(cache::Cache& cache, const hashing::KeySet& keys);

}  // namespace wharf::workspace
