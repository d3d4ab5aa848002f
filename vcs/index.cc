#include "vcs/index.h"

#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

namespace wharf::vcs {
namespace {

struct IndexDeleter {
  void operator()(git_index* index) const { git_index_free(index); }
};

// True when (sec, nsec) is at or after (ref_sec, ref_nsec).
bool not_older(std::uint32_t sec, std::uint32_t nsec, const struct timespec& ref) {
  auto ref_sec = static_cast<std::uint32_t>(ref.tv_sec);
  if (sec != ref_sec) return sec > ref_sec;
  return nsec >= static_cast<std::uint32_t>(ref.tv_nsec);
}

}  // namespace

Result<Index> Index::read(const Repository& repo) {
  git_index* raw = nullptr;
  if (git_repository_index(&raw, repo.raw()) != 0) {
    return fail(ErrorKind::repository, fmt::format("cannot read the git index: {}", last_git_error()));
  }
  std::unique_ptr<git_index, IndexDeleter> index(raw);
  // An entry is racy relative to the index file's own mtime, as in git.
  struct timespec index_mtime {};
  bool have_index_file = false;
  if (const char* path = git_index_path(index.get())) {
    struct stat st;
    if (::stat(path, &st) == 0) {
      index_mtime = st.st_mtim;
      have_index_file = true;
    }
  }

  Index out;
  std::size_t count = git_index_entrycount(index.get());
  out.entries_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    if (!entry) continue;
    int stage = git_index_entry_stage(entry);
    if (stage != 0 && !out.entries_.empty() && out.entries_.back().path == entry->path) continue;
    IndexEntry e;
    e.path = entry->path;
    e.id = entry->id;
    e.mode = entry->mode;
    e.ctime_sec = static_cast<std::uint32_t>(entry->ctime.seconds);
    e.ctime_nsec = entry->ctime.nanoseconds;
    e.mtime_sec = static_cast<std::uint32_t>(entry->mtime.seconds);
    e.mtime_nsec = entry->mtime.nanoseconds;
    e.ino = entry->ino;
    e.file_size = entry->file_size;
    e.conflicted = stage != 0;
    e.racy = e.conflicted || !have_index_file || not_older(e.mtime_sec, e.mtime_nsec, index_mtime);
    out.entries_.push_back(std::move(e));
  }
  // libgit2 keeps entries sorted by path then stage; make sure of the order
  // the lookups below rely on.
  if (!std::is_sorted(out.entries_.begin(), out.entries_.end(),
                      [](const IndexEntry& a, const IndexEntry& b) { return a.path < b.path; })) {
    std::stable_sort(out.entries_.begin(), out.entries_.end(),
                     [](const IndexEntry& a, const IndexEntry& b) { return a.path < b.path; });
    out.entries_.erase(std::unique(out.entries_.begin(), out.entries_.end(),
                                   [](const IndexEntry& a, const IndexEntry& b) { return a.path == b.path; }),
                       out.entries_.end());
  }
  return out;
}

const IndexEntry* Index::find(std::string_view path) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), path,
                             [](const IndexEntry& e, std::string_view p) { return e.path < p; });
  if (it == entries_.end() || it->path != path) return nullptr;
  return &*it;
}

Result<bool> is_ignored(const Repository& repo, const std::string& path) {
  int ignored = 0;
  if (git_ignore_path_is_ignored(&ignored, repo.raw(), path.c_str()) != 0) {
    return fail(ErrorKind::repository, fmt::format("cannot check ignore rules for {}: {}", path, last_git_error()));
  }
  return ignored != 0;
}

}  // namespace wharf::vcs
