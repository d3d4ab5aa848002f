#include "hashing/work_tree.h"

#include <algorithm>
#include <iterator>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include "hashing/xxh3.h"

namespace wharf::hashing {
namespace {

std::string join_rel(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out.append(dir).append("/").append(name);
  return out;
}

// The file-system path of a repository-relative one ("" = the root).
std::string in_tree(const WorkTree& tree, const std::string& rel) {
  if (tree.root.empty()) return rel;
  return rel.empty() ? tree.root : tree.root + "/" + rel;
}

Result<bool> ignored(const WorkTree& tree, const std::string& path) {
  if (!tree.is_ignored) return false;
  return tree.is_ignored(path);
}

// Where the untracked files are. Every directory that holds tracked files is
// known from the index; one is listed only when its lstat or the index's idea
// of its entries changed since a listing showed nothing but tracked entries
// (then nothing can have been added to it). Listing and lstat run in
// parallel; cache lookups and git's ignore rules (libgit2 is not
// thread-safe) are serial.
struct UntrackedScan {
  std::vector<std::string> files;  // untracked files in directories with tracked files
  std::vector<std::string> dirs;   // directories without any tracked file
};

// The entries a directory has according to the index: an order-independent
// digest of their names (two sums of XXH3-128 halves).
struct IndexedDir {
  std::uint64_t sum_low = 0;
  std::uint64_t sum_high = 0;
  std::uint64_t count = 0;

  void add(std::string_view name) {
    Digest128 d = xxh3_128(name);
    std::uint64_t low = 0;
    std::uint64_t high = 0;
    for (int i = 0; i < 8; ++i) {
      high = high << 8 | d[static_cast<std::size_t>(i)];
      low = low << 8 | d[static_cast<std::size_t>(i) + 8];
    }
    sum_low += low;
    sum_high += high;
    ++count;
  }
  Digest128 digest() const {
    std::string bytes(24, '\0');
    for (int i = 0; i < 8; ++i) {
      bytes[static_cast<std::size_t>(i)] = static_cast<char>(sum_low >> (8 * i));
      bytes[static_cast<std::size_t>(i) + 8] = static_cast<char>(sum_high >> (8 * i));
      bytes[static_cast<std::size_t>(i) + 16] = static_cast<char>(count >> (8 * i));
    }
    return xxh3_128(bytes);
  }
};

// Adds `path`'s ancestors at or below `root` (and the child name under each)
// to `dirs`. `previous` is the tracked path added before it, in sorted order:
// a subdirectory already counted for it is not counted twice.
// `last` is the directory the previous path's name was added to: sorted
// paths come in runs of one directory, so most paths need no map lookup.
void add_tracked_path(std::string_view path, std::string_view previous, std::string_view root,
                      std::unordered_map<std::string, IndexedDir>& dirs,
                      std::pair<std::string_view, IndexedDir*>& last) {
  if (path == root) return;  // the root is a file
  std::size_t pos = root.empty() ? 0 : root.size() + 1;
  for (;;) {
    std::size_t slash = path.find('/', pos);
    std::string_view dir = pos == 0 ? std::string_view() : path.substr(0, pos - 1);
    if (slash == std::string_view::npos) {
      if (!last.second || last.first != dir) {
        auto it = dirs.try_emplace(std::string(dir)).first;
        last = {it->first, &it->second};
      }
      last.second->add(path.substr(pos));
      return;
    }
    if (!previous.starts_with(path.substr(0, slash + 1))) dirs[std::string(dir)].add(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
}

// The key of a directory's record in the stat cache: paths never end in '/'.
std::string listing_key(const std::string& dir) { return dir + "/"; }

Result<void> scan_tracked_dirs(const WorkTree& tree, const TrackedIndex& tracked,
                               const std::unordered_map<std::string, IndexedDir>& indexed, UntrackedScan& scan) {
  const std::int64_t run_start_ns = tree.fs->now_ns();
  auto full = [&](const std::string& rel) { return in_tree(tree, rel); };
  struct Dir {
    const std::string* path;
    const IndexedDir* facts;
    std::optional<fs::FileStat> stat;
    bool list = true;
    bool clean = false;  // listed, and held exactly what the index says
  };
  std::vector<Dir> dirs;
  dirs.reserve(indexed.size());
  for (const auto& [path, facts] : indexed) dirs.push_back(Dir{&path, &facts, std::nullopt});
  std::sort(dirs.begin(), dirs.end(), [](const Dir& a, const Dir& b) { return *a.path < *b.path; });

  if (tree.listing_cache) {
    // Only a directory with a listing record can skip its listing. The
    // lookups (serial: the cache is not thread-safe) run beside the lstat of
    // every directory (in parallel, in path order so that each thread stays
    // in one part of the tree); on a warm run every directory has a record.
    std::vector<std::optional<StatRecord>> records(dirs.size());
    tbb::task_group stats;
    stats.run([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, dirs.size(), 64), [&](const auto& range) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
          auto stat = tree.fs->stat(full(*dirs[i].path));
          if (stat && stat->type == fs::FileType::directory) dirs[i].stat = *stat;
        }
      });
    });
    for (std::size_t i = 0; i < dirs.size(); ++i) records[i] = tree.listing_cache->find(listing_key(*dirs[i].path));
    stats.wait();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      Dir& dir = dirs[i];
      const std::optional<StatRecord>& record = records[i];
      if (dir.stat && record && same_file_stat(record->stat, *dir.stat) &&
          dir.stat->mtime_ns + kRacyMarginNs < record->recorded_ns && record->digest == dir.facts->digest()) {
        dir.list = false;
      }
    }
  }

  std::mutex mutex;
  std::optional<Error> error;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, dirs.size(), 16), [&](const auto& range) {
    UntrackedScan local;
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      Dir& dir = dirs[i];
      if (!dir.list) continue;
      fs::FileStat listed_stat;
      auto entries = tree.fs->stat_and_list_dir(full(*dir.path), listed_stat);
      if (entries) dir.stat = listed_stat;
      if (!entries) {
        if (entries.error().kind == ErrorKind::not_found || entries.error().kind == ErrorKind::io) {
          // Gone, or no longer a directory: its tracked files are absent and
          // whatever replaced it shows up in its parent's listing.
          continue;
        }
        std::lock_guard lock(mutex);
        if (!error) error = entries.error();
        continue;
      }
      IndexedDir actual;
      for (const fs::DirEntry& entry : *entries) {
        if (entry.name != ".git") actual.add(entry.name);
      }
      dir.clean = actual.count == dir.facts->count && actual.digest() == dir.facts->digest();
      // Exactly the names the index expects (nearly every directory): nothing
      // untracked here, so no per-entry lookups.
      if (dir.clean) continue;
      for (const fs::DirEntry& entry : *entries) {
        if (entry.name == ".git") continue;
        std::string path = join_rel(*dir.path, entry.name);
        if (entry.type == fs::FileType::directory) {
          if (tracked.contains(path)) continue;  // a submodule: its commit is the input
          if (!indexed.contains(path)) local.dirs.push_back(std::move(path));
        } else if (entry.type == fs::FileType::regular || entry.type == fs::FileType::symlink) {
          if (!tracked.contains(path)) local.files.push_back(std::move(path));
        }
      }
    }
    if (local.files.empty() && local.dirs.empty()) return;
    std::lock_guard lock(mutex);
    std::move(local.files.begin(), local.files.end(), std::back_inserter(scan.files));
    std::move(local.dirs.begin(), local.dirs.end(), std::back_inserter(scan.dirs));
  });
  if (error) return std::unexpected(*error);

  if (tree.listing_cache) {
    std::size_t puts = 0;
    for (const Dir& dir : dirs) {
      if (!dir.list || !dir.clean || !dir.stat) continue;
      tree.listing_cache->put(listing_key(*dir.path), StatRecord{*dir.stat, run_start_ns, dir.facts->digest()});
      ++puts;
    }
    if (puts > 0) {
      if (auto committed = tree.listing_cache->commit(); !committed) return committed;
    }
  }
  return ok();
}

// Appends the untracked, not ignored files at or below directory `dir`,
// which holds no tracked file (so every file below it is untracked).
Result<void> walk_untracked_dir(const WorkTree& tree, const std::string& dir, NestedRepos nested,
                                std::vector<std::string>& out) {
  if (!dir.empty()) {
    auto skip = ignored(tree, dir + "/");
    if (!skip) return std::unexpected(skip.error());
    if (*skip) return ok();
  }
  auto entries = tree.fs->list_dir(in_tree(tree, dir));
  if (!entries) {
    if (entries.error().kind == ErrorKind::not_found) return ok();
    return std::unexpected(entries.error());
  }
  if (nested == NestedRepos::as_one && !dir.empty() &&
      std::any_of(entries->begin(), entries->end(), [](const fs::DirEntry& e) { return e.name == ".git"; })) {
    out.push_back(dir + "/");  // another repository: git shows the directory, not its files
    return ok();
  }
  for (const fs::DirEntry& entry : *entries) {
    if (entry.name == ".git") continue;
    std::string path = join_rel(dir, entry.name);
    if (entry.type == fs::FileType::directory) {
      if (auto walked = walk_untracked_dir(tree, path, nested, out); !walked) return walked;
    } else if (entry.type == fs::FileType::regular || entry.type == fs::FileType::symlink) {
      auto skip_file = ignored(tree, path);
      if (!skip_file) return std::unexpected(skip_file.error());
      if (!*skip_file) out.push_back(std::move(path));
    }
  }
  return ok();
}

}  // namespace

bool TrackedIndex::contains(std::string_view path) const {
  // Asked only for entries of directories whose listing differs from the
  // index, so a binary search beats building a hash set of every path.
  auto it = lower_bound(path);
  return it != tracked_.end() && it->path == path;
}

std::vector<TrackedFile>::const_iterator TrackedIndex::lower_bound(std::string_view path) const {
  return std::lower_bound(tracked_.begin(), tracked_.end(), path,
                          [](const TrackedFile& t, std::string_view p) { return t.path < p; });
}

Result<std::vector<std::string>> find_untracked(const WorkTree& tree, std::span<const std::string> roots,
                                                NestedRepos nested) {
  const TrackedIndex tracked(tree.tracked);
  std::vector<std::string> out;
  std::unordered_map<std::string, IndexedDir> indexed;
  UntrackedScan scan;
  for (const std::string& root : roots) {
    std::string_view previous;
    std::pair<std::string_view, IndexedDir*> last{};
    bool any = false;
    tracked.for_each_at_or_below(root, [&](const TrackedFile& t) {
      add_tracked_path(t.path, previous, root, indexed, last);
      previous = t.path;
      any = true;
    });
    if (any) continue;
    // Nothing tracked: the root is an untracked file or directory, or absent.
    if (root.empty()) {
      scan.dirs.push_back(root);
      continue;
    }
    auto stat = tree.fs->stat(in_tree(tree, root));
    if (!stat) {
      if (stat.error().kind == ErrorKind::not_found) continue;
      return std::unexpected(stat.error());
    }
    if (stat->type == fs::FileType::directory) {
      scan.dirs.push_back(root);
    } else if (stat->type == fs::FileType::regular || stat->type == fs::FileType::symlink) {
      scan.files.push_back(root);
    }
  }
  if (auto scanned = scan_tracked_dirs(tree, tracked, indexed, scan); !scanned) return std::unexpected(scanned.error());
  std::sort(scan.files.begin(), scan.files.end());
  std::sort(scan.dirs.begin(), scan.dirs.end());
  for (std::string& file : scan.files) {
    auto skip = ignored(tree, file);
    if (!skip) return std::unexpected(skip.error());
    if (!*skip) out.push_back(std::move(file));
  }
  for (const std::string& dir : scan.dirs) {
    if (auto walked = walk_untracked_dir(tree, dir, nested, out); !walked) return std::unexpected(walked.error());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}


}  // namespace wharf::hashing
