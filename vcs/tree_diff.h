// Which paths differ between two git trees, below one directory, using the
// trees' Merkle hashes: equal subtree ids are skipped without listing a file.
#pragma once

#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vcs/repository.h"

namespace wharf::vcs {

// Compares trees of one repository, keeping the subtrees it looks paths up
// in. Not thread-safe.
class TreeDiffer {
 public:
  explicit TreeDiffer(const Repository& repo) : repo_(repo) {}

  // Calls visit(path) for each path at or below `root` ("" = everything)
  // whose blob id, mode or type differs between `old_tree` and `new_tree`, or
  // that exists on one side only (a rename shows as both paths; a chmod +x, a
  // symlink retarget and a submodule pointer move each show as their path),
  // depth-first in git's tree order, until visit returns true; returns
  // whether it did. Reads only the subtrees it has to: a caller that needs
  // the first relevant change stops early.
  Result<bool> visit_changes(git_tree* old_tree, git_tree* new_tree, std::string_view root,
                             const std::function<bool(const std::string&)>& visit);

  // The entry at `path` below `tree` (null when absent), without the
  // allocation git_tree_entry_bypath makes: the subtrees along the way are
  // kept, so lookups that share directories read each tree once. The entry
  // lives as long as this differ.
  const git_tree_entry* entry_at(git_tree* tree, std::string_view path);

  // Walks everything at or below `root` in `tree`, calling visit(path) for
  // each file (non-tree entry) in tree order until it returns true; returns
  // whether it did. The directories down to `root` come from entry_at's cache.
  Result<bool> find_path(git_tree* tree, std::string_view root, const std::function<bool(const std::string&)>& visit);

  // Counters for tests and --stats: subtrees compared and entries visited.
  std::size_t trees_walked() const { return trees_walked_; }
  std::size_t entries_visited() const { return entries_visited_; }

 private:
  using Visit = std::function<bool(const std::string&)>;
  // Each returns true when `visit` asked to stop.
  Result<bool> diff_trees(git_tree* a, git_tree* b, std::string& prefix, const Visit& visit);
  Result<bool> list_all(git_tree* tree, std::string& prefix, const Visit& visit);
  Result<bool> list_entry(const git_tree_entry* entry, std::string& path, const Visit& visit);
  Result<bool> diff_at_root(git_tree* old_tree, git_tree* new_tree, const git_tree_entry* old_entry,
                            const git_tree_entry* new_entry, std::string_view root, const Visit& visit);

  struct OidHash {
    std::size_t operator()(const git_oid& id) const {
      std::size_t h;
      std::memcpy(&h, id.id, sizeof(h));  // a SHA-1 is already well mixed
      return h;
    }
  };
  struct OidEqual {
    bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b) != 0; }
  };

  const Repository& repo_;
  std::unordered_map<git_oid, TreePtr, OidHash, OidEqual> subtrees_;
  std::size_t trees_walked_ = 0;
  std::size_t entries_visited_ = 0;
};

}  // namespace wharf::vcs
