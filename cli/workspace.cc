#include "cli/workspace.h"

#include <filesystem>

#include <fmt/format.h>

#include "cache/cache.h"
#include "fs/real_file_system.h"
#include "graph/config_snapshot.h"

namespace wharf::cli {
namespace {

void lap(const GlobalOptions& global, std::string_view name) {
  if (global.stopwatch) global.stopwatch->lap(name);
}

Result<std::filesystem::path> start_directory(const GlobalOptions& global) {
  std::error_code ec;
  std::filesystem::path start = std::filesystem::absolute(global.directory, ec);
  if (ec || !std::filesystem::is_directory(start)) {
    return fail(ErrorKind::usage, fmt::format("-C {}: not a directory", global.directory));
  }
  return start;
}

}  // namespace

Result<vcs::Repository> open_repository(const GlobalOptions& global) {
  auto start = start_directory(global);
  if (!start) return std::unexpected(start.error());
  auto repo = vcs::Repository::discover(start->string());
  if (!repo) return std::unexpected(repo.error());
  if (repo->workdir().empty()) {
    return fail(ErrorKind::repository, "the repository is bare; run wharf in a work tree");
  }
  lap(global, "open-repo");
  return repo;
}

Result<LoadedGraph> load_graph(const GlobalOptions& global, const vcs::Repository& repo) {
  auto start = start_directory(global);
  if (!start) return std::unexpected(start.error());
  std::string config_path = global.config.empty() ? repo.workdir() + "/wharf.toml"
                                                  : (*start / global.config).lexically_normal().string();
  if (!global.config.empty() && std::filesystem::path(global.config).is_absolute()) config_path = global.config;
  // The parsed config is kept in the cache directory (see
  // graph/config_snapshot.h); without a usable cache directory it is parsed.
  std::string snapshot;
  if (auto cache_dir = cache::resolve_cache_dir(repo.workdir(), ""); cache_dir && cache::prepare_cache_dir(*cache_dir)) {
    snapshot = graph::snapshot_path(*cache_dir, config_path);
  }
  fs::RealFileSystem files;
  auto config = graph::load_config_with_snapshot(files, config_path, snapshot);
  if (!config) return std::unexpected(config.error());
  lap(global, "read-config");
  auto graph = graph::Graph::build(std::move(*config));
  if (!graph) return std::unexpected(graph.error());
  lap(global, "build-graph");
  return LoadedGraph{std::move(*graph), config_path};
}

Result<Workspace> open_workspace(const GlobalOptions& global) {
  auto repo = open_repository(global);
  if (!repo) return std::unexpected(repo.error());
  auto loaded = load_graph(global, *repo);
  if (!loaded) return std::unexpected(loaded.error());
  return Workspace{std::move(*repo), std::move(loaded->graph), std::move(loaded->config_path)};
}

}  // namespace wharf::cli
