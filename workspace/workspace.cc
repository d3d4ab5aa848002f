#include "workspace/workspace.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "fs/real_file_system.h"
#include "graph/config_snapshot.h"
#include "plan/lockfiles.h"

namespace wharf::workspace {

Host Host::real() {
  Host host;
  host.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
  host.clock = cache::system_clock_ns;
  host.warn = [](std::string_view) {};
  return host;
}

std::string from_directory(const Options& options, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  std::error_code ec;
  return (std::filesystem::absolute(options.directory, ec) / p).lexically_normal().string();
}

Result<std::string> cache_dir_for(const Options& options, std::string_view repo_root, const Host& host) {
  const std::string flag = options.cache_dir.empty() ? "" : from_directory(options, options.cache_dir);
  const std::optional<std::string> env = host.getenv ? host.getenv("WHARF_CACHE_DIR") : std::nullopt;
  return cache::resolve_cache_dir(repo_root, flag, env ? env->c_str() : nullptr);
}

namespace {

Result<std::unique_ptr<cache::Cache>> open_cache_in(const std::string& dir, const Host& host) {
  std::vector<std::string> warnings;
  cache::CacheOptions cache_options;
  if (host.clock) cache_options.clock = host.clock;
  auto opened = cache::Cache::open(dir, warnings, cache_options);
  for (const auto& warning : warnings) {
    if (host.warn) host.warn(warning);
  }
  return opened;
}

}  // namespace

Result<std::unique_ptr<cache::Cache>> open_cache(const Options& options, const Host& host) {
  std::string root;
  const bool default_dir = options.cache_dir.empty() && !(host.getenv && host.getenv("WHARF_CACHE_DIR"));
  if (default_dir) {
    auto repo = vcs::Repository::discover(from_directory(options, "."));
    if (!repo || repo->workdir().empty()) {
      return fail(ErrorKind::usage,
                  "not in a git work tree, so there is no default cache directory; pass --cache-dir DIR or set "
                  "WHARF_CACHE_DIR");
    }
    root = repo->workdir();
  }
  auto dir = cache_dir_for(options, root, host);
  if (!dir) return std::unexpected(dir.error());
  return open_cache_in(*dir, host);
}

// The cache, opened once, by whoever asks first: a command, or the plan
// looking for a parsed lockfile.
struct Workspace::CacheSlot {
  std::string dir;
  Host host;
  std::unique_ptr<cache::Cache> cache;

  Result<cache::Cache*> get() {
    if (!cache) {
      auto opened = open_cache_in(dir, host);
      if (!opened) return std::unexpected(opened.error());
      cache = std::move(*opened);
    }
    return cache.get();
  }
};

namespace {

// Parsed lockfiles in the cache's `parsed` database. A cache that cannot be
// opened or read is no store: the lockfile is parsed, as without a cache.
class CacheParsedStore : public plan::ParsedStore {
 public:
  explicit CacheParsedStore(std::function<Result<cache::Cache*>()> slot) : slot_(std::move(slot)) {}

  std::optional<std::string> load(std::string_view key) override {
    cache::Cache* cache = usable();
    if (!cache) return std::nullopt;
    auto found = cache->env().get(cache::Db::parsed, key);
    return found ? *found : std::nullopt;
  }
  void store(std::string_view key, std::string_view bytes) override {
    cache::Cache* cache = usable();
    if (!cache) return;
    // A failed write only costs a parse next time.
    (void)cache->env().write([&](cache::Txn& txn) { return txn.put(cache::Db::parsed, key, bytes); });
  }

 private:
  cache::Cache* usable() {
    if (failed_) return nullptr;
    auto cache = slot_();
    if (!cache) failed_ = true;
    return cache ? *cache : nullptr;
  }
  std::function<Result<cache::Cache*>()> slot_;
  bool failed_ = false;
};

}  // namespace

Result<Workspace> Workspace::open(const Options& options, const Host& host, Stopwatch* laps) {
  auto lap = [laps](std::string_view name) {
    if (laps) laps->lap(name);
  };
  std::error_code ec;
  std::filesystem::path start = std::filesystem::absolute(options.directory, ec);
  if (ec || !std::filesystem::is_directory(start)) {
    return fail(ErrorKind::usage, fmt::format("-C {}: not a directory", options.directory));
  }
  auto repo = vcs::Repository::discover(start.string());
  if (!repo) return std::unexpected(repo.error());
  lap("open-repo");
  if (repo->workdir().empty()) {
    return fail(ErrorKind::repository, "the repository is bare; run wharf in a work tree");
  }
  Workspace workspace;
  workspace.host_ = host;
  workspace.config_path_ =
      options.config.empty() ? repo->workdir() + "/wharf.toml" : from_directory(options, options.config);
  auto cache_dir = cache_dir_for(options, repo->workdir(), host);
  if (!cache_dir) return std::unexpected(cache_dir.error());
  workspace.cache_dir_ = std::move(*cache_dir);
  // The parsed config is kept in the cache directory (see
  // graph/config_snapshot.h); without a usable cache directory it is parsed.
  std::string snapshot;
  if (cache::prepare_cache_dir(workspace.cache_dir_)) {
    snapshot = graph::snapshot_path(workspace.cache_dir_, workspace.config_path_);
  }
  fs::RealFileSystem files;
  auto graph = graph::load_graph_with_snapshot(files, workspace.config_path_, snapshot);
  if (!graph) return std::unexpected(graph.error());
  lap("load-graph");
  workspace.cache_ = std::make_unique<CacheSlot>(CacheSlot{workspace.cache_dir_, host, nullptr});
  CacheSlot* slot = workspace.cache_.get();
  workspace.parsed_store_ = std::make_unique<CacheParsedStore>([slot] { return slot->get(); });
  workspace.repo_ = std::make_unique<vcs::Repository>(std::move(*repo));
  workspace.graph_ = std::make_unique<graph::Graph>(std::move(*graph));
  return workspace;
}

Workspace::Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;
Workspace::~Workspace() = default;

Result<cache::Cache*> Workspace::cache() { return cache_->get(); }

}  // namespace wharf::workspace
