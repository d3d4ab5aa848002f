// `wharf init`'s inference: the services, packages and workspace inputs a
// repository already declares (compose files, skaffold.yaml, node and Go
// workspaces, Dockerfiles and .dockerignore), read from one snapshot of it
// (fs::SourceTree: a commit through libgit2, or files in memory).
//
// Services: each Dockerfile a compose service or a skaffold artifact builds,
// and each workspace package with a `start` or `build` script and a
// Dockerfile in its directory (unless a compose or skaffold service already
// builds that Dockerfile). Named by the compose service, the skaffold image's
// last component, or the package name without its scope, made valid names;
// a name taken twice gets "-2", "-3" in sorted order, with a warning.
// A service's `paths`: its own directory (that of a Dockerfile named
// Dockerfile or Dockerfile.*, else the build context; the context too when
// several services share the Dockerfile; never the whole repository),
// its Dockerfile, its build context's .dockerignore, and the COPY/ADD
// sources of the Dockerfile relative to the context (a source that matches
// no file at this commit, outside its directory, is left out with a warning:
// a build output). Its `exclude`: the .dockerignore's patterns. Its `deps`:
// those of the workspace package it is.
// Packages: the other workspace packages and go.work modules; `deps` that
// resolve inside the workspace, cycles broken (dep_cycles.h) with a warning.
// Workspace inputs: lockfiles and workspace files at the root, root configs
// every build reads, and Dockerfiles shared by several services.
#pragma once

#include <string>
#include <vector>

#include "fs/source_tree.h"
#include "util/error.h"

namespace wharf::infer {

struct Component {
  std::string name;
  std::vector<std::string> origin;  // comment lines: where it came from
  std::vector<std::string> paths;
  std::vector<std::string> exclude;
  std::vector<std::string> deps;  // sorted
};

struct WorkspaceInput {
  std::string path;
  std::string why;  // "lockfile", "shared Dockerfile of api, web"
};

struct Inferred {
  std::vector<WorkspaceInput> inputs;  // sorted by path
  std::vector<Component> packages;     // sorted by name
  std::vector<Component> services;     // sorted by name
  std::vector<std::string> warnings;   // "file:line: message", in the order found
};

// Errors only when the snapshot's file list cannot be read; everything a
// file says that cannot be understood is a warning.
Result<Inferred> infer_config(const fs::SourceTree& tree);

}  // namespace wharf::infer
