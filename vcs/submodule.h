// What a submodule's work tree holds, as one id for hashing.
//
// The git index records the commit the superproject expects in a submodule;
// a build uses whatever is checked out there. So a key follows the checkout:
//  - nothing changed inside the submodule: the commit its HEAD names (which
//    may differ from the recorded one: `git status` shows "new commits");
//  - tracked files modified or deleted, or untracked files its .gitignore
//    does not ignore: an id derived from that commit and each changed path
//    with its current content (mode, bytes or link target, or "deleted"), so
//    different content never shares a key with the committed state and the
//    same edits give the same key again;
//  - not checked out (no repository in the directory): an id derived from the
//    recorded commit and a "not checked out" mark, so a build without the
//    submodule's files never shares a key with one that had them.
// Submodules nested in a submodule are followed the same way.
#pragma once

#include <string>

#include <git2.h>

#include "util/error.h"

namespace wharf::vcs {

// Nested submodules are followed this deep; deeper is an error.
inline constexpr int kMaxSubmoduleDepth = 8;

// The content id of the submodule at `path` (relative to `workdir`, the
// superproject's work tree) whose recorded commit is `recorded`. Opens the
// submodule's repository and reads its status: costs one work-tree scan of
// the submodule. Errors (ErrorKind::repository) name the submodule; one owned
// by another user says which safe.directory line to add.
Result<git_oid> submodule_content_id(const std::string& workdir, const std::string& path, const git_oid& recorded);

// Whether `git status` shows the submodule at `path` modified: another
// commit checked out, or changed content. One that is not checked out is
// not (git shows nothing for it).
Result<bool> submodule_changed(const std::string& workdir, const std::string& path, const git_oid& recorded);

}  // namespace wharf::vcs
