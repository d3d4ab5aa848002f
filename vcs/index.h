// The git index (staging area) as wharf needs it for hashing: which paths are
// tracked, their blob ids, and the lstat facts git recorded when it last saw
// each file, so a clean file can be recognised without reading it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <git2.h>

#include "util/error.h"
#include "vcs/repository.h"

namespace wharf::vcs {

// One path of the index, with the facts as stored (times, ino and size are
// truncated to 32 bits by the index format).
struct IndexEntry {
  std::string path;  // repository-relative, '/'-separated
  // The blob. For a submodule, Index::read() puts what its work tree holds
  // here (vcs/submodule.h), read_recorded() the commit the index records.
  git_oid id{};
  std::uint32_t mode = 0;  // 0100644, 0100755, 0120000 or 0160000
  std::uint32_t ctime_sec = 0;
  std::uint32_t ctime_nsec = 0;
  std::uint32_t mtime_sec = 0;
  std::uint32_t mtime_nsec = 0;
  std::uint32_t ino = 0;
  std::uint32_t file_size = 0;
  // The entry's mtime is not older than the index file's: the file may have
  // changed after git looked, within the same timestamp tick, so its stat
  // facts do not prove the content (git's "racily clean" entry).
  bool racy = false;
  // A merge conflict (no stage-0 entry): the facts describe no single blob.
  bool conflicted = false;
  // `git update-index --assume-unchanged` / `--skip-worktree`: git does not
  // look at the work tree file (status shows it unchanged there).
  bool assume_unchanged = false;
  bool skip_worktree = false;
  // `git add -N`: tracked, with no content staged yet.
  bool intent_to_add = false;
};

// The index's cache-tree extension ("TREE"): for a directory whose entries
// did not change since git last wrote a tree for it, that tree's id. A
// directory whose tree id equals HEAD's needs no comparison below it.
class CacheTree {
 public:
  struct Node {
    std::string path;  // directory, repository-relative ("" = the root)
    git_oid id{};
    bool valid = false;  // git invalidated it (an entry below changed)
  };
  // Sorted by path; each directory once.
  static CacheTree from_nodes(std::vector<Node> nodes);
  // The valid tree id recorded for directory `path`, or nullptr.
  const git_oid* valid_id(std::string_view path) const;
  bool empty() const { return nodes_.empty(); }

 private:
  std::vector<Node> nodes_;
};

enum class IndexReader {
  fast,     // index_file.h, falling back to libgit2 for what it declines
  libgit2,  // git_repository_index() only (tests compare the two)
};

// A snapshot of the index. Immutable after read(); safe to share.
class Index {
 public:
  // Reads the repository's index file (an absent index is an empty one), with
  // each submodule's entry naming what is checked out in it, for hashing: a
  // key must follow the code a build sees, not the commit the superproject
  // records (see vcs/submodule.h; one status read per submodule).
  static Result<Index> read(const Repository& repo, IndexReader reader = IndexReader::fast);
  // The index file as recorded, submodules included.
  static Result<Index> read_recorded(const Repository& repo, IndexReader reader = IndexReader::fast);
  // Sorts by path and keeps one entry per path.
  static Index from_entries(std::vector<IndexEntry> entries);

  // Sorted by path, each path once (stage 0, or one entry marked conflicted).
  const std::vector<IndexEntry>& entries() const { return entries_; }
  // The entry for `path`, or nullptr when it is not tracked.
  const IndexEntry* find(std::string_view path) const;
  std::vector<IndexEntry> release() && { return std::move(entries_); }
  // Empty when the index has none (or libgit2 read it).
  const CacheTree& cache_tree() const { return cache_tree_; }
  void set_cache_tree(CacheTree tree) { cache_tree_ = std::move(tree); }

 private:
  std::vector<IndexEntry> entries_;
  CacheTree cache_tree_;
};

// Whether git would ignore `path` (repository-relative; a trailing '/' asks
// about a directory), from .gitignore files, .git/info/exclude and
// core.excludesFile, regardless of whether it is tracked.
Result<bool> is_ignored(const Repository& repo, const std::string& path);

}  // namespace wharf::vcs
