#include "vcs/repository.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

namespace wharf::vcs {
namespace {

void init_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // Trees of a large monorepo exceed the default 4 KiB cache limit per
    // object; a plan looks the same subtrees up once per distinct base, so
    // keep them parsed.
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, static_cast<size_t>(1) << 20);
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT, static_cast<size_t>(1) << 16);
    // libgit2 re-hashes every object it reads with collision-detecting SHA-1
    // to check it against its id; git itself does not on reads (it checks
    // packs with fsck/index-pack). That hashing was ~25% of a 500-service
    // plan's instructions (callgrind), so read as git does.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  });
}

}  // namespace

std::string last_git_error() {
  const git_error* error = git_error_last();
  return error && error->message ? error->message : "unknown libgit2 error";
}

std::string ObjectId::hex() const {
  char buffer[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buffer, sizeof(buffer), &raw);
  return buffer;
}

Repository::Repository(git_repository* repo) : repo_(repo) {
  if (const char* dir = git_repository_workdir(repo)) {
    workdir_ = dir;
    while (workdir_.size() > 1 && workdir_.back() == '/') workdir_.pop_back();
  }
}

Repository::Repository(Repository&& other) noexcept
    : repo_(std::exchange(other.repo_, nullptr)), workdir_(std::move(other.workdir_)) {}

Repository& Repository::operator=(Repository&& other) noexcept {
  if (this != &other) {
    if (repo_) git_repository_free(repo_);
    repo_ = std::exchange(other.repo_, nullptr);
    workdir_ = std::move(other.workdir_);
  }
  return *this;
}

Repository::~Repository() {
  if (repo_) git_repository_free(repo_);
}

Result<Repository> Repository::discover(const std::string& start_dir) {
  init_libgit2();
  git_buf found = GIT_BUF_INIT;
  if (git_repository_discover(&found, start_dir.c_str(), 0, nullptr) != 0) {
    return fail(ErrorKind::repository,
                fmt::format("{}: not inside a git repository; run wharf from your monorepo's work tree", start_dir));
  }
  std::string path(found.ptr, found.size);
  git_buf_dispose(&found);
  return open(path);
}

Result<Repository> Repository::open(const std::string& path) {
  init_libgit2();
  git_repository* repo = nullptr;
  if (git_repository_open(&repo, path.c_str()) != 0) {
    return fail(ErrorKind::repository, fmt::format("{}: cannot open the git repository: {}", path, last_git_error()));
  }
  return Repository(repo);
}

bool Repository::is_shallow() const { return git_repository_is_shallow(repo_) == 1; }

std::expected<ObjectId, ResolveError> Repository::resolve_commit(std::string_view rev) const {
  std::string spec(rev);
  git_object* object = nullptr;
  int rc = git_revparse_single(&object, repo_, spec.c_str());
  if (rc != 0) {
    ResolveFailure failure = rc == GIT_EAMBIGUOUS  ? ResolveFailure::ambiguous
                             : rc == GIT_ENOTFOUND ? ResolveFailure::not_found
                                                   : ResolveFailure::invalid;
    // An abbreviated SHA whose object is absent is "not found" for us, even
    // when libgit2 calls it an invalid spec.
    if (failure == ResolveFailure::invalid && !spec.empty() && spec.size() <= GIT_OID_HEXSZ &&
        std::all_of(spec.begin(), spec.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
      failure = ResolveFailure::not_found;
    }
    return std::unexpected(ResolveError{failure, last_git_error()});
  }
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT);
  git_object_free(object);
  if (rc != 0) {
    return std::unexpected(ResolveError{ResolveFailure::invalid, fmt::format("'{}' is not a commit", spec)});
  }
  ObjectId id;
  git_oid_cpy(&id.raw, git_object_id(peeled));
  git_object_free(peeled);
  return id;
}

std::optional<std::int64_t> Repository::commit_time(std::string_view rev) const {
  auto id = resolve_commit(rev);
  if (!id) return std::nullopt;
  git_commit* commit = nullptr;
  if (git_commit_lookup(&commit, repo_, &id->raw) != 0) return std::nullopt;
  std::int64_t when = git_commit_time(commit);
  git_commit_free(commit);
  return when;
}

Result<ObjectId> Repository::merge_base(const ObjectId& a, const ObjectId& b) const {
  ObjectId out;
  if (git_merge_base(&out.raw, repo_, &a.raw, &b.raw) != 0) {
    return fail(ErrorKind::repository,
                fmt::format("no merge base between {} and {}: {}", a.short_hex(), b.short_hex(), last_git_error()));
  }
  return out;
}

Result<TreePtr> Repository::commit_tree(const ObjectId& commit_id) const {
  git_commit* commit = nullptr;
  if (git_commit_lookup(&commit, repo_, &commit_id.raw) != 0) {
    return fail(ErrorKind::repository, fmt::format("cannot read commit {}: {}", commit_id.hex(), last_git_error()));
  }
  git_tree* tree = nullptr;
  int rc = git_commit_tree(&tree, commit);
  git_commit_free(commit);
  if (rc != 0) {
    return fail(ErrorKind::repository,
                fmt::format("cannot read the tree of commit {}: {}", commit_id.hex(), last_git_error()));
  }
  return TreePtr(tree);
}

Result<TreePtr> Repository::lookup_tree(const git_oid& id) const {
  git_tree* tree = nullptr;
  if (git_tree_lookup(&tree, repo_, &id) != 0) {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), &id);
    return fail(ErrorKind::repository, fmt::format("cannot read tree {}: {}", hex, last_git_error()));
  }
  return TreePtr(tree);
}

Result<std::vector<std::string>> Repository::uncommitted_paths() const {
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  // Renames are not detected, so both sides of a rename are listed; a
  // submodule whose pointer or content changed counts as changed.
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  git_status_list* list = nullptr;
  if (git_status_list_new(&list, repo_, &options) != 0) {
    return fail(ErrorKind::repository, fmt::format("cannot read the work tree status: {}", last_git_error()));
  }
  std::vector<std::string> paths;
  const std::size_t count = git_status_list_entrycount(list);
  for (std::size_t i = 0; i < count; ++i) {
    const git_status_entry* entry = git_status_byindex(list, i);
    if (entry->status & GIT_STATUS_IGNORED) continue;
    for (const git_diff_delta* delta : {entry->head_to_index, entry->index_to_workdir}) {
      if (!delta) continue;
      if (delta->old_file.path) paths.emplace_back(delta->old_file.path);
      if (delta->new_file.path) paths.emplace_back(delta->new_file.path);
    }
  }
  git_status_list_free(list);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

}  // namespace wharf::vcs
