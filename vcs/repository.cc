#include "vcs/repository.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "util/text.h"

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
    // `git clone --sparse` and `git sparse-checkout` turn on per-worktree
    // config (extensions.worktreeConfig), which libgit2 1.5 refuses to open.
    // What that file holds (core.sparseCheckout, ...) changes the checkout,
    // not the objects and trees wharf reads, so open such repositories.
    const char* extensions[] = {"worktreeconfig"};
    git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, std::size(extensions));
  });
}

// A full or abbreviated hex SHA, as `git rev-parse` would take one.
bool is_hex_sha(std::string_view spec) {
  return spec.size() >= GIT_OID_MINPREFIXLEN && spec.size() <= GIT_OID_HEXSZ &&
         std::all_of(spec.begin(), spec.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The work tree a repository path names (".../repo/.git/" -> ".../repo"):
// safe.directory is matched against it.
std::string work_tree_of(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.ends_with("/.git")) path.resize(path.size() - 5);
  return path;
}

// `path` for a shell command line: quoted when it holds anything unusual.
std::string shell_word(const std::string& path) {
  bool plain = !path.empty() && std::all_of(path.begin(), path.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("/._-+,:@%").find(c) != std::string_view::npos;
  });
  if (plain) return path;
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Error open_error(int rc, const std::string& path, std::string_view what) {
  std::string message = last_git_error();
  // libgit2 1.5 reports a repository owned by another user as a failed
  // config lookup ("config value 'safe.directory' was not found"); later
  // versions as GIT_EOWNER. Either way git refuses the repository on purpose
  // (CVE-2022-24765) and the user has to say that it is trusted.
  if (rc == GIT_EOWNER || message.find("safe.directory") != std::string::npos ||
      message.find("not owned by current user") != std::string::npos) {
    const std::string tree = work_tree_of(path);
    return Error{ErrorKind::repository,
                 fmt::format("{}: {} is owned by another user, so git refuses to use it (git's safe.directory "
                             "check); if you trust it, mark it safe and run wharf again:\n"
                             "  git config --global --add safe.directory {}",
                             tree, what, shell_word(tree))};
  }
  return Error{ErrorKind::repository, fmt::format("{}: cannot open the {}: {}", path, what, message)};
}

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
  if (int rc = git_repository_open(&repo, path.c_str()); rc != 0) {
    return std::unexpected(open_error(rc, path, "the git repository"));
  }
  return Repository(repo);
}

bool Repository::is_shallow() const { return git_repository_is_shallow(repo_) == 1; }

bool Repository::trusts_executable_bit() const {
  git_config* config = nullptr;
  if (git_repository_config_snapshot(&config, repo_) != 0) return true;
  int value = 1;
  if (git_config_get_bool(&value, config, "core.filemode") != 0) value = 1;
  git_config_free(config);
  return value != 0;
}

bool Repository::has_object(const std::string& hex) const {
  git_oid oid;
  if (git_oid_fromstr(&oid, hex.c_str()) != 0) return false;
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo_) != 0) return false;
  const bool found = git_odb_exists(odb, &oid) == 1;
  git_odb_free(odb);
  return found;
}

std::expected<ObjectId, ResolveError> Repository::resolve_commit(std::string_view rev) const {
  std::string spec(rev);
  // libgit2 takes a C string: a NUL would cut the revision short and
  // resolve something else.
  if (std::any_of(spec.begin(), spec.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return std::unexpected(ResolveError{
        ResolveFailure::invalid, fmt::format("'{}' holds a control character; it names no revision", printable(spec))});
  }
  git_object* object = nullptr;
  int rc = git_revparse_single(&object, repo_, spec.c_str());
  if (rc != 0) {
    // (libgit2 calls a prefix under 4 digits ambiguous too: it names nothing.)
    if (rc == GIT_EAMBIGUOUS && spec.size() >= GIT_OID_MINPREFIXLEN) {
      return std::unexpected(ResolveError{ResolveFailure::ambiguous, printable(last_git_error())});
    }
    // Only a well-formed SHA can be a commit this clone lacks (fetching more
    // history helps); any other name is a typo or a branch or tag that does
    // not exist here, and fetch advice would send the user the wrong way.
    if (is_hex_sha(spec)) return std::unexpected(ResolveError{ResolveFailure::not_found, printable(last_git_error())});
    return std::unexpected(ResolveError{
        ResolveFailure::invalid,
        fmt::format("'{}' is not a commit, branch or tag in this repository{} (libgit2: {})", printable(spec),
                    is_shallow() ? "; the clone is shallow, so an ancestor like HEAD~5 may lie beyond its history" : "",
                    printable(last_git_error()))});
  }
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT);
  git_object_free(object);
  if (rc != 0) {
    return std::unexpected(ResolveError{ResolveFailure::invalid, fmt::format("'{}' is not a commit", printable(spec))});
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

std::string Repository::short_id(const ObjectId& commit) const {
  git_object* object = nullptr;
  std::string out = commit.short_hex();
  if (git_object_lookup(&object, repo_, &commit.raw, GIT_OBJECT_ANY) != 0) return out;
  git_buf buf = GIT_BUF_INIT;
  if (git_object_short_id(&buf, object) == 0) out.assign(buf.ptr, buf.size);
  git_buf_dispose(&buf);
  git_object_free(object);
  return out;
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
