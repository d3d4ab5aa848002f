// The work-tree half of `git status` (what "Changes not staged for commit"
// and "Untracked files" list), from the index facts, stat cache and
// directory-listing memory `wharf hash` uses, so `wharf plan --worktree`
// costs what a warm hash costs. The staged half (index against HEAD) is
// vcs/staged.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hashing/file_hasher.h"
#include "hashing/work_tree.h"
#include "util/error.h"

namespace wharf::hashing {

struct WorktreeStatusOptions {
  // core.filemode: when false, an executable bit that differs from the
  // index's is not a change (git keeps the index's mode for plain files).
  bool trust_executable_bit = true;
  // Whether the submodule at a gitlink path has another commit checked out
  // or changed content (git status shows it modified). Null: never.
  std::function<Result<bool>(const TrackedFile& submodule)> submodule_changed;
};

// Tracked paths whose work-tree file differs from the index (content, mode
// or type changed, deleted; conflicted and intent-to-add entries always;
// skip-worktree and assume-unchanged entries never), and untracked files
// git does not ignore (an untracked repository as "<dir>/"), sorted, each
// once. Reads a file only when neither the index nor the stat cache vouch
// for it, as `git status` does.
Result<std::vector<std::string>> unstaged_paths(const WorkTree& tree, FileHasher& hasher,
                                                const WorktreeStatusOptions& options);

}  // namespace wharf::hashing
