#include "hashing/worktree_status.h"

#include <algorithm>
#include <iterator>
#include <span>

namespace wharf::hashing {
namespace {

bool is_plain_file(std::uint32_t git_mode) { return git_mode == kGitModeFile || git_mode == kGitModeExecutable; }

bool same_mode(std::uint32_t index_mode, std::uint32_t disk_mode, bool trust_executable_bit) {
  if (!trust_executable_bit && is_plain_file(index_mode) && is_plain_file(disk_mode)) return true;
  return index_mode == disk_mode;
}

// The git blob id of what is at `path` now (a symlink's target), to settle
// a file whose digest is not the index blob's stand-in: the stat cache may
// hold a digest taken when the index had another blob.
Result<bool> holds_blob(const WorkTree& tree, const TrackedFile& file, std::uint32_t disk_mode) {
  const std::string path = tree.root.empty() ? file.path : tree.root + "/" + file.path;
  auto bytes = disk_mode == kGitModeSymlink ? tree.fs->read_link(path) : tree.fs->read_file(path);
  if (!bytes) {
    if (bytes.error().kind == ErrorKind::not_found) return false;  // gone since its lstat
    return std::unexpected(bytes.error());
  }
  return git_blob_id(*bytes) == file.facts.blob_id;
}

}  // namespace

Result<std::vector<std::string>> unstaged_paths(const WorkTree& tree, FileHasher& hasher,
                                                const WorktreeStatusOptions& options) {
  std::vector<std::string> out;
  std::vector<FileToHash> files;
  std::vector<const TrackedFile*> looked_at;
  files.reserve(tree.tracked.size());
  looked_at.reserve(tree.tracked.size());
  for (const TrackedFile& t : tree.tracked) {
    if (t.conflicted || t.intent_to_add) {
      out.push_back(t.path);
    } else if (t.skip_worktree) {
      continue;
    } else if (t.facts.mode == kGitModeGitlink) {
      if (!options.submodule_changed) continue;
      auto changed = options.submodule_changed(t);
      if (!changed) return std::unexpected(changed.error());
      if (*changed) out.push_back(t.path);
    } else {
      files.push_back(FileToHash{t.path, &t.facts});
      looked_at.push_back(&t);
    }
  }
  auto hashed = hasher.hash(files);
  if (!hashed) return std::unexpected(hashed.error());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const HashedFile& h = (*hashed)[i];
    const TrackedFile& t = *looked_at[i];
    if (!h.present || !same_mode(t.facts.mode, h.mode, options.trust_executable_bit)) {
      out.push_back(t.path);
      continue;
    }
    if (h.digest == blob_stand_in(t.facts.blob_key())) continue;
    auto same = holds_blob(tree, t, h.mode);
    if (!same) return std::unexpected(same.error());
    if (!*same) out.push_back(t.path);
  }
  const std::string whole_tree;
  auto untracked = find_untracked(tree, std::span<const std::string>(&whole_tree, 1), NestedRepos::as_one);
  if (!untracked) return std::unexpected(untracked.error());
  out.insert(out.end(), std::make_move_iterator(untracked->begin()), std::make_move_iterator(untracked->end()));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace wharf::hashing
