#include "vcs/submodule.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "vcs/repository.h"

namespace wharf::vcs {
namespace {

struct RepositoryDeleter {
  void operator()(git_repository* repo) const { git_repository_free(repo); }
};
struct IndexDeleter {
  void operator()(git_index* index) const { git_index_free(index); }
};
struct StatusDeleter {
  void operator()(git_status_list* list) const { git_status_list_free(list); }
};

std::string hex(const git_oid& id) {
  char buffer[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buffer, sizeof(buffer), &id);
  return buffer;
}

// An id for a description (git's blob hash of its bytes: only ever compared).
git_oid id_of(const std::string& description) {
  git_oid out{};
  git_odb_hash(&out, description.data(), description.size(), GIT_OBJECT_BLOB);
  return out;
}

// "<mode> <id>" of a path's current content, or "deleted".
Result<std::string> current_content(const std::string& file) {
  struct stat st;
  if (::lstat(file.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::string("deleted");
    return fail(ErrorKind::io, fmt::format("cannot stat {}: {}", file, std::strerror(errno)));
  }
  git_oid id{};
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlink(file.c_str(), target.data(), target.size());
    if (n < 0) return fail(ErrorKind::io, fmt::format("cannot read the link {}: {}", file, std::strerror(errno)));
    target.resize(static_cast<std::size_t>(n));
    git_odb_hash(&id, target.data(), target.size(), GIT_OBJECT_BLOB);
    return "120000 " + hex(id);
  }
  if (!S_ISREG(st.st_mode)) return std::string("not a file");
  if (git_odb_hashfile(&id, file.c_str(), GIT_OBJECT_BLOB) != 0) {
    return fail(ErrorKind::io, fmt::format("cannot read {}: {}", file, last_git_error()));
  }
  return std::string((st.st_mode & S_IXUSR) ? "100755 " : "100644 ") + hex(id);
}

Result<git_oid> content_id(const std::string& dir, const std::string& label, const git_oid& recorded, int depth) {
  if (depth > kMaxSubmoduleDepth) {
    return fail(ErrorKind::repository,
                fmt::format("submodule {}: nested more than {} submodules deep", label, kMaxSubmoduleDepth));
  }
  git_repository* raw = nullptr;
  // NO_SEARCH: an empty directory must not find the superproject above it.
  int rc = git_repository_open_ext(&raw, dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  if (rc == GIT_ENOTFOUND) return id_of("wharf-submodule-not-checked-out\n" + hex(recorded) + "\n");
  if (rc != 0) return std::unexpected(open_error(rc, dir, fmt::format("submodule {}", label)));
  std::unique_ptr<git_repository, RepositoryDeleter> repo(raw);

  git_oid head{};
  const bool born = git_reference_name_to_id(&head, repo.get(), "HEAD") == 0;
  std::string changes;

  // Nested submodules first, each by its own content id.
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repo.get()) != 0) {
    return fail(ErrorKind::repository, fmt::format("submodule {}: cannot read its index: {}", label, last_git_error()));
  }
  std::unique_ptr<git_index, IndexDeleter> index(raw_index);
  std::vector<std::string> gitlinks;
  for (std::size_t i = 0, n = git_index_entrycount(index.get()); i < n; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    if (!entry || entry->mode != GIT_FILEMODE_COMMIT || git_index_entry_stage(entry) != 0) continue;
    gitlinks.emplace_back(entry->path);
    auto nested = content_id(dir + "/" + entry->path, label + "/" + entry->path, entry->id, depth + 1);
    if (!nested) return nested;
    if (!git_oid_equal(&*nested, &entry->id)) changes += fmt::format("submodule {} {}\n", entry->path, hex(*nested));
  }

  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;  // done above
  git_status_list* raw_list = nullptr;
  if (git_status_list_new(&raw_list, repo.get(), &options) != 0) {
    return fail(ErrorKind::repository,
                fmt::format("submodule {}: cannot read its status: {}", label, last_git_error()));
  }
  std::unique_ptr<git_status_list, StatusDeleter> list(raw_list);
  std::vector<std::string> paths;
  for (std::size_t i = 0, n = git_status_list_entrycount(list.get()); i < n; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    if (entry->status & GIT_STATUS_IGNORED) continue;
    for (const git_diff_delta* delta : {entry->head_to_index, entry->index_to_workdir}) {
      if (!delta) continue;
      for (const char* path : {delta->old_file.path, delta->new_file.path}) {
        if (path) paths.emplace_back(path);
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  for (std::string& path : paths) {
    while (!path.empty() && path.back() == '/') path.pop_back();  // an untracked repository inside
    if (std::binary_search(gitlinks.begin(), gitlinks.end(), path)) continue;
    auto content = current_content(dir + "/" + path);
    if (!content) return fail(ErrorKind::io, fmt::format("submodule {}: {}", label, content.error().message));
    changes += fmt::format("file {} {}\n", path, *content);
  }

  if (changes.empty() && born) return head;
  return id_of(fmt::format("wharf-submodule-work-tree\nhead {}\n{}", born ? hex(head) : "unborn", changes));
}

}  // namespace

Result<git_oid> submodule_content_id(const std::string& workdir, const std::string& path, const git_oid& recorded) {
  return content_id(workdir + "/" + path, path, recorded, 0);
}

Result<bool> submodule_changed(const std::string& workdir, const std::string& path, const git_oid& recorded) {
  auto content = submodule_content_id(workdir, path, recorded);
  if (!content) return std::unexpected(content.error());
  git_oid not_checked_out = id_of("wharf-submodule-not-checked-out\n" + hex(recorded) + "\n");
  return !git_oid_equal(&*content, &recorded) && !git_oid_equal(&*content, &not_checked_out);
}

}  // namespace wharf::vcs
