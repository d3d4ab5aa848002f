// A narrow facade over libgit2: find the repository, resolve revisions, read
// trees, and list the working tree's uncommitted paths. No `git` subprocess.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <git2.h>

#include "util/error.h"

namespace wharf::vcs {

// A full object id.
struct ObjectId {
  git_oid raw{};
  std::string hex() const;
  std::string short_hex(std::size_t n = 7) const { return hex().substr(0, n); }
  friend bool operator==(const ObjectId& a, const ObjectId& b) { return git_oid_equal(&a.raw, &b.raw); }
};

struct TreeDeleter {
  void operator()(git_tree* tree) const { git_tree_free(tree); }
};
using TreePtr = std::unique_ptr<git_tree, TreeDeleter>;

// How a revision failed to resolve, so the caller can say what to do.
enum class ResolveFailure { not_found, ambiguous, invalid };

struct ResolveError {
  ResolveFailure failure;
  std::string message;  // libgit2's words
};

// Owns a git_repository. Not thread-safe: use from one thread. Move-only.
class Repository {
 public:
  // Finds the repository containing `start_dir`, walking up as git does.
  static Result<Repository> discover(const std::string& start_dir);
  // Opens exactly `path` (a work tree or a .git directory).
  static Result<Repository> open(const std::string& path);

  Repository(Repository&&) noexcept;
  Repository& operator=(Repository&&) noexcept;
  ~Repository();

  // The work tree root without a trailing '/' ("" for a bare repository).
  const std::string& workdir() const { return workdir_; }
  // The .git directory (for opening a second handle on another thread).
  std::string git_dir() const { return git_repository_path(repo_); }
  bool is_shallow() const;
  // Whether the object database holds the object `hex` (a full SHA). A
  // partial clone's missing blobs are not there: libgit2 does not fetch them.
  bool has_object(const std::string& hex) const;
  // core.filemode as git reads it (default true): false on file systems
  // where the executable bit means nothing, so a change of it is no change.
  bool trusts_executable_bit() const;

  // Resolves any revision (SHA, abbreviated SHA, ref, HEAD~2) to a commit.
  std::expected<ObjectId, ResolveError> resolve_commit(std::string_view rev) const;

  // Committer time (seconds since the epoch) of the commit `rev` names, if it
  // resolves.
  std::optional<std::int64_t> commit_time(std::string_view rev) const;

  // The commit's abbreviated id as libgit2 gives it: core.abbrev digits
  // (default 7), more when needed to be unambiguous. What image tags use.
  std::string short_id(const ObjectId& commit) const;

  // The best common ancestor of two commits.
  Result<ObjectId> merge_base(const ObjectId& a, const ObjectId& b) const;

  // The root tree of a commit.
  Result<TreePtr> commit_tree(const ObjectId& commit) const;

  // A subtree by object id (cached by libgit2).
  Result<TreePtr> lookup_tree(const git_oid& id) const;

  // Paths that differ between the index/work tree and HEAD: staged and
  // unstaged changes (both sides of a rename), plus untracked files that are
  // not ignored. Sorted, each once.
  Result<std::vector<std::string>> uncommitted_paths() const;

  git_repository* raw() const { return repo_; }

 private:
  explicit Repository(git_repository* repo);
  git_repository* repo_ = nullptr;
  std::string workdir_;
};

// libgit2's last error as text.
std::string last_git_error();

// The error for a failed git_repository_open*() of `path` (`rc` its return
// code; `what` says which repository, e.g. "the git repository"). A
// repository owned by another user gets the exact
// `git config --global --add safe.directory <work tree>` line to run.
Error open_error(int rc, const std::string& path, std::string_view what);

}  // namespace wharf::vcs
