// A workspace: the repository found from where wharf runs, its config and
// service graph, and the cache directory, found once by one policy for every
// command. What `wharf plan`, `hash`, `explain`, `cache` (and later `build`
// and `deploy`) start from; the CLI only parses flags into Options.
#pragma once

#include <memory>
#include <string>

#include "cache/cache.h"
#include "graph/graph.h"
#include "util/stopwatch.h"
#include "vcs/repository.h"
#include "workspace/host.h"

namespace wharf::plan {
class ParsedStore;
}

namespace wharf::workspace {

// The global flags, as given.
struct Options {
  std::string directory = ".";  // -C: run as if started here
  std::string config;           // --config: default <repo root>/wharf.toml; relative to `directory`
  std::string cache_dir;        // --cache-dir: relative to `directory`
};

// The cache directory: --cache-dir (relative to -C's directory), else
// $WHARF_CACHE_DIR, else <repo_root>/.wharf/cache; absolute. ErrorKind::usage
// when none applies (no flag, no variable, not in a work tree).
Result<std::string> cache_dir_for(const Options& options, std::string_view repo_root, const Host& host);

// Opens the cache alone, for commands that need no config (`wharf cache`):
// the repository is looked for only when the default directory is needed.
Result<std::unique_ptr<cache::Cache>> open_cache(const Options& options, const Host& host);

// A path given on the command line, relative to -C's directory as git does.
std::string from_directory(const Options& options, const std::string& path);

class Workspace {
 public:
  // Finds the repository from options.directory as git does and loads the
  // config (through its snapshot in the cache directory when there is one:
  // graph/config_snapshot.h). `laps`, when set, gets the time of each step.
  static Result<Workspace> open(const Options& options, const Host& host, Stopwatch* laps = nullptr);

  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
  ~Workspace();

  const vcs::Repository& repo() const { return *repo_; }
  const graph::Graph& graph() const { return *graph_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& cache_dir() const { return cache_dir_; }
  const Host& host() const { return host_; }

  // The cache, opened on first use (an unusable one is moved aside with a
  // warning through Host::warn).
  Result<cache::Cache*> cache();

  // Parsed lockfiles kept in the cache (plan/lockfiles.h), which it opens on
  // first use; when the cache cannot be opened it keeps nothing.
  plan::ParsedStore* parsed_store() const { return parsed_store_.get(); }

 private:
  struct CacheSlot;
  Workspace();

  Host host_;
  std::unique_ptr<vcs::Repository> repo_;  // stable address: hashing borrows it
  std::unique_ptr<graph::Graph> graph_;
  std::string config_path_;
  std::string cache_dir_;
  std::unique_ptr<CacheSlot> cache_;  // stable address: the parsed store borrows it
  std::unique_ptr<plan::ParsedStore> parsed_store_;
};

}  // namespace wharf::workspace
