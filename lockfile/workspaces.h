// The workspace packages a root package.json declares (`workspaces`: a list
// of globs, or `{packages: [...]}`), read from a commit's tree: what yarn
// classic installs for, as its yarn.lock does not list them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fs/source_tree.h"
#include "util/error.h"

namespace wharf::lockfile::detail {

struct WorkspacePackage {
  std::string dir;   // relative to the root package's directory, "." for the root
  std::string name;  // package.json `name` ("" when it has none)
  // dependencies, devDependencies and optionalDependencies: name -> range
  std::vector<std::pair<std::string, std::string>> deps;
};

// The root package (dir ".") and every workspace package under `root`
// ("" for the repository root), sorted by dir. Errors name the package.json.
Result<std::vector<WorkspacePackage>> read_workspaces(std::string_view root, const fs::SourceTree& tree);

// Whether `dir` matches a workspaces glob: `*` matches within a path
// segment, `**` any number of segments.
bool glob_matches(std::string_view pattern, std::string_view dir);

}  // namespace wharf::lockfile::detail
