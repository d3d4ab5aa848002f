#include "cli/workspace.h"

#include <filesystem>

#include <fmt/format.h>

#include "cache/cache.h"
#include "fs/real_file_system.h"
#include "graph/config_snapshot.h"

namespace wharf::cli {

Result<Workspace> open_workspace(const GlobalOptions& global) {
  std::error_code ec;
  std::filesystem::path start = std::filesystem::absolute(global.directory, ec);
  if (ec || !std::filesystem::is_directory(start)) {
    return fail(ErrorKind::usage, fmt::format("-C {}: not a directory", global.directory));
  }
  auto repo = vcs::Repository::discover(start.string());
  if (!repo) return std::unexpected(repo.error());
  global.lap("open-repo");
  if (repo->workdir().empty()) {
    return fail(ErrorKind::repository, "the repository is bare; run wharf in a work tree");
  }
  std::string config_path =
      global.config.empty() ? repo->workdir() + "/wharf.toml" : (start / global.config).lexically_normal().string();
  if (!global.config.empty() && std::filesystem::path(global.config).is_absolute()) config_path = global.config;
  // The parsed config is kept in the cache directory (see
  // graph/config_snapshot.h); without a usable cache directory it is parsed.
  std::string snapshot;
  if (auto cache_dir = cache::resolve_cache_dir(repo->workdir(), "");
      cache_dir && cache::prepare_cache_dir(*cache_dir)) {
    snapshot = graph::snapshot_path(*cache_dir, config_path);
  }
  fs::RealFileSystem files;
  std::string digest;
  auto graph = graph::load_graph_with_snapshot(files, config_path, snapshot, nullptr, &digest);
  if (!graph) return std::unexpected(graph.error());
  global.lap("load-graph");
  return Workspace{std::move(*repo), std::move(*graph), config_path, std::move(snapshot), std::move(digest)};
}

}  // namespace wharf::cli
