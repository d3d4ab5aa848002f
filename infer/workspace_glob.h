// The globs package managers list workspace members with
// (pnpm-workspace.yaml `packages`, package.json `workspaces`): `*`, `?` and
// `[...]` inside one segment, `**` any number of segments, `!` in front to
// leave matches out again (the last glob that matches a directory decides).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wharf::infer {

// Whether `dir` (repository-relative) is matched by `pattern` exactly (not
// by an ancestor). "./" and a trailing '/' in the pattern are ignored.
bool workspace_glob_matches(std::string_view pattern, std::string_view dir);

}  // namespace wharf::infer
