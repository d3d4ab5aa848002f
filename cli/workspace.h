// What most subcommands start from: the repository found from the working
// directory, and the service graph from its config.
#pragma once

#include <string>

#include "cli/run.h"
#include "graph/graph.h"
#include "vcs/repository.h"

namespace wharf::cli {

struct Workspace {
  vcs::Repository repo;
  graph::Graph graph;
  std::string config_path;
};

// Finds the repository from global.directory as git does and loads the config
// (global.config, else <root>/wharf.toml; relative --config is relative to
// the directory wharf runs in).
Result<Workspace> open_workspace(const GlobalOptions& global);

// The two halves of open_workspace, for a caller that works with the
// repository while the config loads (load_graph reads only its work tree
// path).
struct LoadedGraph {
  graph::Graph graph;
  std::string config_path;
};
Result<vcs::Repository> open_repository(const GlobalOptions& global);
Result<LoadedGraph> load_graph(const GlobalOptions& global, const vcs::Repository& repo);

}  // namespace wharf::cli
