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
  // The config snapshot's file and the digest of the config's bytes; both
  // empty when there is no usable cache directory (graph/config_snapshot.h).
  std::string snapshot_file;
  std::string config_digest;
};

// Finds the repository from global.directory as git does and loads the config
// (global.config, else <root>/wharf.toml; relative --config is relative to
// the directory wharf runs in).
Result<Workspace> open_workspace(const GlobalOptions& global);

}  // namespace wharf::cli
