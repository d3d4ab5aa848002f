// The work tree as hashing and `plan --worktree` see it: the git index's
// tracked files with the lstat facts git recorded, and where the untracked
// files are, found without listing directories that cannot hold one.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/file_system.h"
#include "hashing/file_hasher.h"
#include "hashing/stat_cache.h"
#include "util/error.h"

namespace wharf::hashing {

struct TrackedFile {
  std::string path;  // repository-relative
  IndexFacts facts;
  // What git status needs besides the facts (hashing ignores them):
  bool conflicted = false;     // a merge conflict: always reported as changed
  bool skip_worktree = false;  // skip-worktree or assume-unchanged: git does not look at the file
  bool intent_to_add = false;  // `git add -N`: reported as added
};

struct WorkTree {
  const fs::FileSystem* fs = nullptr;
  // The work tree root, no trailing '/'; "" when `fs` resolves relative
  // paths against it already.
  std::string root;
  std::vector<TrackedFile> tracked;  // the git index, sorted by path, unique
  // Whether git ignores a repository-relative path (a trailing '/' asks
  // about a directory). Asked only about untracked paths. Null: nothing is.
  std::function<Result<bool>(const std::string& path)> is_ignored;
  // Remembers directories whose listing held exactly the entries the index
  // implies, under "<dir>/" (root: "/") with the directory's lstat and a
  // digest of those names: while both still match (and the directory's
  // mtime is older than the record by kRacyMarginNs), the directory cannot
  // hold an untracked file and is not listed again. Losing it costs
  // listings, never answers. Null: list every directory. Used from one
  // thread; committed by find_untracked.
  StatCache* listing_cache = nullptr;
};

// Lookups into a sorted tracked list.
class TrackedIndex {
 public:
  explicit TrackedIndex(const std::vector<TrackedFile>& tracked) : tracked_(tracked) {}

  bool contains(std::string_view path) const;
  // Calls fn(const TrackedFile&) for every tracked path at or below `root`
  // ("" = all), in path order.
  template <class Fn>
  void for_each_at_or_below(std::string_view root, Fn&& fn) const {
    if (root.empty()) {
      for (const auto& t : tracked_) fn(t);
      return;
    }
    auto it = lower_bound(root);
    if (it != tracked_.end() && it->path == root) fn(*it);
    std::string prefix = std::string(root) + "/";
    for (it = lower_bound(prefix); it != tracked_.end() && it->path.starts_with(prefix); ++it) fn(*it);
  }

 private:
  std::vector<TrackedFile>::const_iterator lower_bound(std::string_view path) const;
  const std::vector<TrackedFile>& tracked_;
};

enum class NestedRepos {
  walk,     // list the files of an untracked repository inside like any others (hashing)
  as_one,   // report it as "<dir>/" and do not enter it, as `git status` does
};

// The untracked files git does not ignore at or below each root (a file or
// a directory, "" = the whole work tree), sorted, each once. Does not follow
// symlinks; skips .git. A directory that holds tracked files is listed only
// when its lstat or the index's idea of its entries changed since a listing
// showed nothing but tracked entries (see WorkTree::listing_cache).
Result<std::vector<std::string>> find_untracked(const WorkTree& tree, std::span<const std::string> roots,
                                                NestedRepos nested = NestedRepos::walk);

}  // namespace wharf::hashing
