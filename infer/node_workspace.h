// A node workspace (pnpm, npm, yarn): which directories are its packages,
// and what each depends on.
//
// Members are listed by pnpm-workspace.yaml `packages:` and by the root
// package.json `workspaces` (an array, or `{"packages": [...]}`); both are
// read when both exist. A member is a directory with a package.json that a
// glob matches (node_modules never).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fs/source_tree.h"
#include "infer/warnings.h"

namespace wharf::infer {

struct NodePackage {
  std::string name;     // as in its package.json ("@acme/ui"); the directory's name when it has none
  std::string dir;      // repository-relative
  std::string version;  // "" when none
  bool runnable = false;  // has a `start` or `build` script
  // dependencies, devDependencies, peerDependencies, optionalDependencies:
  // name and version spec, in that order.
  std::vector<std::pair<std::string, std::string>> deps;
  std::string matched_by;  // "pnpm-workspace.yaml:2 (packages/*)"
};

struct NodeWorkspace {
  std::vector<std::string> files;     // the workspace files that list members
  std::vector<NodePackage> packages;  // sorted by directory
};

// `files` is every file of `tree`, sorted (SourceTree::files()).
NodeWorkspace read_node_workspace(const fs::SourceTree& tree, const std::vector<std::string>& files,
                                  Warnings& warnings);

// Whether a dependency written as `spec` is the workspace package whose
// version is `local_version`: the `workspace:` protocol, `link:` and `file:`,
// `*`, the exact version, or `^`/`~` on the same major version. Kept simple:
// other ranges (`>=1 <2`, `1.x`, `||`) are taken as the registry's.
bool spec_resolves_locally(std::string_view spec, std::string_view local_version);

}  // namespace wharf::infer
