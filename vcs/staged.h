// The staged half of `git status` ("Changes to be committed"): index paths
// whose blob or mode differ from HEAD's, added or deleted ones. Subtrees the
// index's cache tree records with HEAD's tree id are skipped unread, as git
// does, so a clean index costs no tree reads at all.
#pragma once

#include <string>
#include <vector>

#include "util/error.h"
#include "vcs/index.h"
#include "vcs/repository.h"

namespace wharf::vcs {

// Both sides of a rename (a delete and an add), sorted, each once. A
// conflicted or intent-to-add entry is left to the work-tree half. With no
// HEAD commit yet (a new repository), every index path is staged.
Result<std::vector<std::string>> staged_paths(const Repository& repo, const Index& recorded);

}  // namespace wharf::vcs
