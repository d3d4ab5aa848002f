#include "vcs/tree_files.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

namespace wharf::vcs {

namespace {

struct EntryDeleter {
  void operator()(git_tree_entry* entry) const { git_tree_entry_free(entry); }
};
using EntryPtr = std::unique_ptr<git_tree_entry, EntryDeleter>;

// The file entry at `path`, or null when absent or not a file.
EntryPtr file_entry(git_tree* tree, std::string_view path) {
  git_tree_entry* raw = nullptr;
  if (path.empty() || git_tree_entry_bypath(&raw, tree, std::string(path).c_str()) != 0) return nullptr;
  EntryPtr entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return nullptr;
  return entry;
}

}  // namespace

Result<TreeFiles> TreeFiles::at_commit(const Repository& repo, const ObjectId& commit) {
  auto tree = repo.commit_tree(commit);
  if (!tree) return std::unexpected(tree.error());
  return TreeFiles(repo, std::move(*tree), repo.short_id(commit));
}

Result<std::optional<std::string>> TreeFiles::read(std::string_view path) const {
  EntryPtr entry = file_entry(tree_.get(), path);
  if (!entry) return std::optional<std::string>();
  git_blob* blob = nullptr;
  int rc = git_blob_lookup(&blob, repo_.raw(), git_tree_entry_id(entry.get()));
  if (rc != 0) {
    const git_error* e = git_error_last();
    std::string why = e && e->message ? e->message : "unknown error";
    if (rc == GIT_ENOTFOUND) {
      return fail(ErrorKind::not_found,
                  fmt::format("{} at {}: blob {} is not in this clone (a partial clone?): {}", path, what_,
                              git_oid_tostr_s(git_tree_entry_id(entry.get())), why));
    }
    return fail(ErrorKind::repository, fmt::format("{} at {}: cannot read its blob: {}", path, what_, why));
  }
  std::string contents(static_cast<const char*>(git_blob_rawcontent(blob)), git_blob_rawsize(blob));
  git_blob_free(blob);
  return std::optional<std::string>(std::move(contents));
}

Result<std::vector<std::string>> TreeFiles::files() const {
  struct Walk {
    std::vector<std::string> paths;
  } walk;
  int rc = git_tree_walk(
      tree_.get(), GIT_TREEWALK_PRE,
      [](const char* root, const git_tree_entry* entry, void* payload) -> int {
        if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
          static_cast<Walk*>(payload)->paths.push_back(std::string(root) + git_tree_entry_name(entry));
        }
        return 0;
      },
      &walk);
  if (rc != 0) {
    const git_error* e = git_error_last();
    return fail(ErrorKind::repository,
                fmt::format("cannot list the files of {}: {}", what_, e && e->message ? e->message : "unknown error"));
  }
  // Git's tree order sorts a directory as if its name ended in '/'; callers
  // want plain bytewise order.
  std::sort(walk.paths.begin(), walk.paths.end());
  return std::move(walk.paths);
}

std::optional<std::string> TreeFiles::blob_id(std::string_view path) const {
  EntryPtr entry = file_entry(tree_.get(), path);
  if (!entry) return std::nullopt;
  return std::string(git_oid_tostr_s(git_tree_entry_id(entry.get())));
}

}  // namespace wharf::vcs
