#include "workspace/worktree.h"

#include <algorithm>
#include <iterator>

#include <git2.h>

#include "cache/cache.h"
#include "cache/stat_store.h"
#include "fs/real_file_system.h"
#include "hashing/worktree_status.h"
#include "vcs/staged.h"
#include "vcs/submodule.h"
#include "workspace/keys.h"

namespace wharf::workspace {

Result<std::vector<std::string>> worktree_changes(Workspace& workspace) {
  const vcs::Repository& repo = workspace.repo();
  auto index = vcs::Index::read_recorded(repo);
  if (!index) return std::unexpected(index.error());
  auto staged = vcs::staged_paths(repo, *index);
  if (!staged) return std::unexpected(staged.error());

  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  fs::RealFileSystem fs(repo.workdir());
  hashing::WorkTree tree;
  tree.fs = &fs;
  tree.tracked = tracked_files(std::move(*index).release());
  tree.is_ignored = [&repo](const std::string& path) { return vcs::is_ignored(repo, path); };
  cache::LmdbStatCache stat_cache((*cache)->env());
  tree.listing_cache = &stat_cache;
  hashing::FileHasher hasher(fs, "", &stat_cache);
  hashing::WorktreeStatusOptions options;
  options.trust_executable_bit = repo.trusts_executable_bit();
  const std::string workdir = repo.workdir();
  options.submodule_changed = [&workdir](const hashing::TrackedFile& submodule) -> Result<bool> {
    git_oid recorded{};
    std::copy_n(submodule.facts.blob_id.begin(), submodule.facts.blob_id.size(), recorded.id);
    return vcs::submodule_changed(workdir, submodule.path, recorded);
  };
  auto unstaged = hashing::unstaged_paths(tree, hasher, options);
  if (!unstaged) return std::unexpected(unstaged.error());

  std::vector<std::string> out;
  out.reserve(staged->size() + unstaged->size());
  std::merge(std::make_move_iterator(staged->begin()), std::make_move_iterator(staged->end()),
             std::make_move_iterator(unstaged->begin()), std::make_move_iterator(unstaged->end()),
             std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace wharf::workspace
