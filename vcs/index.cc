#include "vcs/index.h"

#include "vcs/index_file.h"
#include "vcs/submodule.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>

#include <fmt/format.h>

namespace wharf::vcs {
namespace {

struct IndexDeleter {
  void operator()(git_index* index) const { git_index_free(index); }
};

// The libgit2 reader: complete, and the fallback for what index_file.h
// declines.
Result<Index> read_with_libgit2(const Repository& repo) {
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

  std::vector<IndexEntry> out;
  std::size_t count = git_index_entrycount(index.get());
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    if (!entry) continue;
    int stage = git_index_entry_stage(entry);
    if (stage != 0 && !out.empty() && out.back().path == entry->path) continue;
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
    e.assume_unchanged = (entry->flags & GIT_INDEX_ENTRY_VALID) != 0;
    e.skip_worktree = (entry->flags_extended & GIT_INDEX_ENTRY_SKIP_WORKTREE) != 0;
    e.intent_to_add = (entry->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD) != 0;
    e.racy = e.conflicted || !have_index_file || not_older(e.mtime_sec, e.mtime_nsec, index_mtime);
    out.push_back(std::move(e));
  }
  return Index::from_entries(std::move(out));
}

}  // namespace

Index Index::from_entries(std::vector<IndexEntry> entries) {
  // The file keeps entries sorted by path then stage; make sure of the order
  // the lookups below rely on.
  auto by_path = [](const IndexEntry& a, const IndexEntry& b) { return a.path < b.path; };
  if (!std::is_sorted(entries.begin(), entries.end(), by_path)) {
    std::stable_sort(entries.begin(), entries.end(), by_path);
    entries.erase(std::unique(entries.begin(), entries.end(),
                              [](const IndexEntry& a, const IndexEntry& b) { return a.path == b.path; }),
                  entries.end());
  }
  Index index;
  index.entries_ = std::move(entries);
  return index;
}

Result<Index> Index::read(const Repository& repo, IndexReader reader) {
  auto index = read_recorded(repo, reader);
  if (!index || repo.workdir().empty()) return index;
  for (IndexEntry& entry : index->entries_) {
    if (entry.mode != GIT_FILEMODE_COMMIT) continue;
    auto checked_out = submodule_content_id(repo.workdir(), entry.path, entry.id);
    if (!checked_out) return std::unexpected(checked_out.error());
    entry.id = *checked_out;
  }
  return index;
}

Result<Index> Index::read_recorded(const Repository& repo, IndexReader reader) {
  if (reader == IndexReader::libgit2) return read_with_libgit2(repo);
  std::string path = repo.git_dir() + "index";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Index{};  // a new repository: nothing tracked yet
    return read_with_libgit2(repo);
  }
  struct stat st;
  std::string bytes;
  bool read_all = ::fstat(fd, &st) == 0;
  if (read_all) {
    bytes.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    read_all = done == bytes.size();
  }
  ::close(fd);
  if (!read_all) return read_with_libgit2(repo);
  std::string declined;
  CacheTree cache_tree;
  auto parsed = parse_index_file(bytes, st.st_mtim, &declined, &cache_tree);
  if (!parsed) return std::unexpected(parsed.error());
  if (!*parsed) return read_with_libgit2(repo);  // a feature left to libgit2
  Index index = from_entries(std::move(**parsed));
  index.set_cache_tree(std::move(cache_tree));
  return index;
}

CacheTree CacheTree::from_nodes(std::vector<Node> nodes) {
  std::sort(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) { return a.path < b.path; });
  nodes.erase(std::unique(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) { return a.path == b.path; }),
              nodes.end());
  CacheTree tree;
  tree.nodes_ = std::move(nodes);
  return tree;
}

const git_oid* CacheTree::valid_id(std::string_view path) const {
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), path,
                             [](const Node& n, std::string_view p) { return n.path < p; });
  if (it == nodes_.end() || it->path != path || !it->valid) return nullptr;
  return &it->id;
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
