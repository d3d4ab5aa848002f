// `--worktree`'s changed paths: what `git status --porcelain -uall` lists
// (staged, unstaged, untracked and not ignored; both sides of a rename),
// from the fast index reader, the cache's stat records and its memory of
// directory listings, as a warm `wharf hash` reads them (no libgit2 status).
#pragma once

#include <string>
#include <vector>

#include "workspace/workspace.h"

namespace wharf::workspace {

// Sorted, each once; an untracked repository inside as "<dir>/".
Result<std::vector<std::string>> worktree_changes(Workspace& workspace);

}  // namespace wharf::workspace
