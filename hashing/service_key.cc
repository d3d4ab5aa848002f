#include "hashing/service_key.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "graph/config_fields.h"
#include "hashing/hasher.h"
#include "hashing/xxh3.h"

namespace wharf::hashing {
namespace {

// A path that may be an input: tracked (with its index facts) or untracked.
struct Candidate {
  std::string path;
  const IndexFacts* facts = nullptr;
};

bool by_path(const TrackedFile& t, std::string_view path) { return t.path < path; }

std::string join_rel(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out.append(dir).append("/").append(name);
  return out;
}

// Lookups into the sorted tracked list.
class TrackedIndex {
 public:
  explicit TrackedIndex(const std::vector<TrackedFile>& tracked) : tracked_(tracked) {}

  // Asked only for entries of directories whose listing differs from the
  // index, so a binary search beats building a hash set of every path.
  bool contains(std::string_view path) const {
    auto it = std::lower_bound(tracked_.begin(), tracked_.end(), path,
                               [](const TrackedFile& t, std::string_view p) { return t.path < p; });
    return it != tracked_.end() && it->path == path;
  }
  // True when some tracked path lies strictly below directory `dir`.
  bool has_below(std::string_view dir) const {
    if (dir.empty()) return !tracked_.empty();
    std::string prefix = std::string(dir) + "/";
    auto it = std::lower_bound(tracked_.begin(), tracked_.end(), prefix, by_path);
    return it != tracked_.end() && it->path.starts_with(prefix);
  }
  // Appends every tracked path at or below `root` ("" = all).
  void append_at_or_below(std::string_view root, std::vector<Candidate>& out) const {
    if (root.empty()) {
      for (const auto& t : tracked_) out.push_back(Candidate{t.path, &t.facts});
      return;
    }
    auto it = std::lower_bound(tracked_.begin(), tracked_.end(), root, by_path);
    if (it != tracked_.end() && it->path == root) out.push_back(Candidate{it->path, &it->facts});
    std::string prefix = std::string(root) + "/";
    for (it = std::lower_bound(tracked_.begin(), tracked_.end(), prefix, by_path);
         it != tracked_.end() && it->path.starts_with(prefix); ++it) {
      out.push_back(Candidate{it->path, &it->facts});
    }
  }

 private:
  const std::vector<TrackedFile>& tracked_;
};

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
void add_tracked_path(std::string_view path, std::string_view previous, std::string_view root,
                      std::unordered_map<std::string, IndexedDir>& dirs) {
  if (path == root) return;  // the root is a file
  std::size_t pos = root.empty() ? 0 : root.size() + 1;
  for (;;) {
    std::size_t slash = path.find('/', pos);
    std::string_view dir = pos == 0 ? std::string_view() : path.substr(0, pos - 1);
    if (slash == std::string_view::npos) {
      dirs[std::string(dir)].add(path.substr(pos));
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

  if (tree.listing_cache) {
    // Only a directory with a listing record can skip its listing; the
    // others get their lstat from the listing itself (no extra path walk).
    std::vector<std::optional<StatRecord>> records(dirs.size());
    for (std::size_t i = 0; i < dirs.size(); ++i) records[i] = tree.listing_cache->find(listing_key(*dirs[i].path));
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, dirs.size(), 64), [&](const auto& range) {
      for (std::size_t i = range.begin(); i != range.end(); ++i) {
        if (!records[i]) continue;
        auto stat = tree.fs->stat(full(*dirs[i].path));
        if (stat && stat->type == fs::FileType::directory) dirs[i].stat = *stat;
      }
    });
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
Result<void> walk_untracked_dir(const WorkTree& tree, const std::string& dir, std::vector<Candidate>& out) {
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
  for (const fs::DirEntry& entry : *entries) {
    if (entry.name == ".git") continue;
    std::string path = join_rel(dir, entry.name);
    if (entry.type == fs::FileType::directory) {
      if (auto walked = walk_untracked_dir(tree, path, out); !walked) return walked;
    } else if (entry.type == fs::FileType::regular || entry.type == fs::FileType::symlink) {
      auto skip_file = ignored(tree, path);
      if (!skip_file) return std::unexpected(skip_file.error());
      if (!*skip_file) out.push_back(Candidate{std::move(path), nullptr});
    }
  }
  return ok();
}

// Appends the untracked, not ignored files at or below each root (a file or
// a directory, "" = the whole work tree). Does not follow symlinks; skips .git.
Result<void> append_untracked(const WorkTree& tree, const TrackedIndex& tracked, const std::vector<std::string>& roots,
                              std::vector<Candidate>& out) {
  std::unordered_map<std::string, IndexedDir> indexed;
  UntrackedScan scan;
  for (const std::string& root : roots) {
    std::vector<Candidate> below;
    tracked.append_at_or_below(root, below);
    std::string_view previous;
    for (const Candidate& c : below) {
      add_tracked_path(c.path, previous, root, indexed);
      previous = c.path;
    }
    if (!below.empty()) continue;
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
  if (auto scanned = scan_tracked_dirs(tree, tracked, indexed, scan); !scanned) return scanned;
  std::sort(scan.files.begin(), scan.files.end());
  std::sort(scan.dirs.begin(), scan.dirs.end());
  for (std::string& file : scan.files) {
    auto skip = ignored(tree, file);
    if (!skip) return std::unexpected(skip.error());
    if (!*skip) out.push_back(Candidate{std::move(file), nullptr});
  }
  for (const std::string& dir : scan.dirs) {
    if (auto walked = walk_untracked_dir(tree, dir, out); !walked) return walked;
  }
  return ok();
}

// Roots that cover every given root, none below another. Each root is
// checked against its own ancestors (a set lookup per '/'), not against every
// root kept so far: a chain of 100,000 packages has as many roots.
std::vector<std::string> minimal_roots(std::vector<std::string> roots) {
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  std::unordered_set<std::string> kept;
  std::vector<std::string> out;
  for (auto& root : roots) {
    bool covered = kept.contains("");
    for (std::size_t slash = root.find('/'); !covered && slash != std::string::npos;
         slash = root.find('/', slash + 1)) {
      covered = kept.contains(root.substr(0, slash));
    }
    if (covered) continue;
    kept.insert(root);
    out.push_back(std::move(root));
  }
  return out;
}

bool candidate_less(const Candidate& a, const Candidate& b) { return a.path < b.path; }

// Indices of candidates at or below `root` ("" = all).
template <class Fn>
void for_each_at_or_below(const std::vector<Candidate>& candidates, std::string_view root, Fn&& fn) {
  auto by = [](const Candidate& c, std::string_view p) { return c.path < p; };
  if (root.empty()) {
    for (std::size_t i = 0; i < candidates.size(); ++i) fn(i);
    return;
  }
  auto it = std::lower_bound(candidates.begin(), candidates.end(), root, by);
  if (it != candidates.end() && it->path == root) fn(static_cast<std::size_t>(it - candidates.begin()));
  std::string prefix = std::string(root) + "/";
  for (it = std::lower_bound(candidates.begin(), candidates.end(), std::string_view(prefix), by);
       it != candidates.end() && it->path.starts_with(prefix); ++it) {
    fn(static_cast<std::size_t>(it - candidates.begin()));
  }
}

void sort_unique(std::vector<std::uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool any_matches(const std::vector<graph::PatternEntry>& patterns, std::string_view path) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const auto& p) { return p.pattern.matches(path); });
}

// A config field's values as hashed: one per list entry, sorted and unique;
// a text field is one value, "" when absent.
std::vector<std::string> normalized_values(const std::vector<graph::PatternEntry>& patterns) {
  std::vector<std::string> out;
  out.reserve(patterns.size());
  for (const auto& p : patterns) out.push_back(p.pattern.text());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> normalized_values(const std::vector<graph::NameEntry>& names) {
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& n : names) out.push_back(n.name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> normalized_values(const graph::TextEntry& text) { return {text.value}; }

}  // namespace

std::string mode_string(std::uint32_t git_mode) { return fmt::format("{:06o}", git_mode); }

Result<KeySet> KeySet::compute(const graph::Graph& graph, std::span<const graph::Service* const> services,
                               const WorkTree& tree, FileHasher& hasher, const EnvLookup& env) {
  const graph::Config& config = graph.config();
  KeySet set;
  set.workspace_ = &config.workspace;

  // The packages these services use, each once.
  // A closure can hold every package (a chain of 100,000): look names up in
  // a hash map, not with Graph::find_package's scan, and test membership in
  // a set, not in the list.
  std::unordered_map<std::string_view, const graph::ComponentConfig*> by_name;
  by_name.reserve(config.packages.size());
  for (const graph::ComponentConfig& package : config.packages) by_name.emplace(package.name, &package);
  std::vector<const graph::ComponentConfig*> packages;
  std::unordered_set<const graph::ComponentConfig*> listed;
  for (const graph::Service* service : services) {
    for (std::string_view name : service->packages) {
      auto found = by_name.find(name);
      if (found != by_name.end() && listed.insert(found->second).second) packages.push_back(found->second);
    }
  }

  // 1. Candidates: tracked and untracked files below every input root.
  std::vector<std::string> roots;
  for (const graph::Service* service : services) {
    for (const graph::Input& input : service->inputs) roots.emplace_back(input.pattern().root());
  }
  roots = minimal_roots(std::move(roots));
  TrackedIndex tracked(tree.tracked);
  std::vector<Candidate> candidates;
  for (const std::string& root : roots) tracked.append_at_or_below(root, candidates);
  if (auto walked = append_untracked(tree, tracked, roots, candidates); !walked) {
    return std::unexpected(walked.error());
  }
  std::sort(candidates.begin(), candidates.end(), candidate_less);
  candidates.erase(std::unique(candidates.begin(), candidates.end(),
                               [](const Candidate& a, const Candidate& b) { return a.path == b.path; }),
                   candidates.end());

  // 2. Which candidates each component takes (indices into candidates).
  std::vector<std::vector<std::uint32_t>> package_files(packages.size());
  for (std::size_t p = 0; p < packages.size(); ++p) {
    const graph::ComponentConfig& package = *packages[p];
    for (const auto& entry : package.paths) {
      for_each_at_or_below(candidates, entry.pattern.root(), [&](std::size_t i) {
        const std::string& path = candidates[i].path;
        if (entry.pattern.matches(path) && !any_matches(package.exclude, path) &&
            !any_matches(config.workspace.exclude, path)) {
          package_files[p].push_back(static_cast<std::uint32_t>(i));
        }
      });
    }
    sort_unique(package_files[p]);
  }
  std::vector<std::vector<std::uint32_t>> service_files(services.size());
  for (std::size_t s = 0; s < services.size(); ++s) {
    const graph::Service& service = *services[s];
    for (const graph::Input& input : service.inputs) {
      if (input.kind == graph::InputKind::package) continue;
      for_each_at_or_below(candidates, input.pattern().root(), [&](std::size_t i) {
        const graph::Input* covering = graph::Graph::covering_input(service, candidates[i].path);
        if (covering && covering->kind != graph::InputKind::package) {
          service_files[s].push_back(static_cast<std::uint32_t>(i));
        }
      });
    }
    sort_unique(service_files[s]);
  }

  // 3. Hash every needed candidate once.
  std::vector<std::uint32_t> needed;
  for (const auto& files : package_files) needed.insert(needed.end(), files.begin(), files.end());
  for (const auto& files : service_files) needed.insert(needed.end(), files.begin(), files.end());
  sort_unique(needed);
  std::vector<FileToHash> to_hash;
  to_hash.reserve(needed.size());
  for (std::uint32_t i : needed) to_hash.push_back(FileToHash{candidates[i].path, candidates[i].facts});
  auto hashed = hasher.hash(to_hash);
  if (!hashed) return std::unexpected(hashed.error());
  constexpr std::uint32_t kAbsent = UINT32_MAX;
  std::vector<std::uint32_t> file_of_candidate(candidates.size(), kAbsent);
  for (std::size_t k = 0; k < needed.size(); ++k) {
    const HashedFile& h = (*hashed)[k];
    if (!h.present) continue;
    file_of_candidate[needed[k]] = static_cast<std::uint32_t>(set.files_.size());
    set.files_.push_back(InputFile{std::move(to_hash[k].path), h.mode, h.digest});
  }
  auto to_files = [&](const std::vector<std::uint32_t>& candidate_indices) {
    std::vector<std::uint32_t> out;
    out.reserve(candidate_indices.size());
    for (std::uint32_t i : candidate_indices) {
      if (file_of_candidate[i] != kAbsent) out.push_back(file_of_candidate[i]);
    }
    return out;  // files_ is in candidate order, so still sorted by path
  };

  // 4. Package keys, then service keys.
  std::map<std::string, std::uint32_t> package_index;
  for (std::size_t p = 0; p < packages.size(); ++p) {
    ComponentKey key;
    key.kind = graph::ComponentKind::package;
    key.name = packages[p]->name;
    key.config = packages[p];
    key.files = to_files(package_files[p]);
    key.input_files = key.files.size();
    key.key = set.hash_component(key, nullptr);
    package_index[key.name] = static_cast<std::uint32_t>(set.packages_.size());
    set.packages_.push_back(std::move(key));
  }
  for (std::size_t s = 0; s < services.size(); ++s) {
    const graph::Service& service = *services[s];
    ComponentKey key;
    key.kind = graph::ComponentKind::service;
    key.name = service.name;
    key.config = service.config;
    key.files = to_files(service_files[s]);
    std::vector<std::uint32_t> all_files = key.files;
    std::vector<std::string> names(service.packages.begin(), service.packages.end());
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      auto found = package_index.find(name);
      if (found == package_index.end()) continue;
      std::uint32_t index = found->second;
      // The package as this service sees it, after the service's excludes.
      const ComponentKey& shared = set.packages_[index];
      // The workspace excludes were applied to the package already; only the
      // service's own can remove more (Service::excludes is own + workspace).
      std::vector<std::uint32_t> seen;
      if (!service.config->exclude.empty()) {
        for (std::uint32_t f : shared.files) {
          if (!any_matches(service.config->exclude, set.files_[f].path)) seen.push_back(f);
        }
      } else {
        seen = shared.files;
      }
      if (seen.size() != shared.files.size()) {
        ComponentKey variant = shared;
        variant.files = std::move(seen);
        variant.input_files = variant.files.size();
        variant.key = set.hash_component(variant, nullptr);
        index = static_cast<std::uint32_t>(set.packages_.size());
        set.packages_.push_back(std::move(variant));
      }
      key.packages.push_back(index);
      const auto& package_files_seen = set.packages_[index].files;
      all_files.insert(all_files.end(), package_files_seen.begin(), package_files_seen.end());
    }
    sort_unique(all_files);
    key.input_files = all_files.size();
    std::vector<std::string> env_names;
    for (const auto& var : service.config->env) env_names.push_back(var.name);
    std::sort(env_names.begin(), env_names.end());
    env_names.erase(std::unique(env_names.begin(), env_names.end()), env_names.end());
    for (const std::string& name : env_names) key.env.emplace_back(name, env ? env(name) : std::nullopt);
    key.key = set.hash_component(key, nullptr);
    set.services_.push_back(std::move(key));
  }
  return set;
}

const ComponentKey* KeySet::find_service(std::string_view name) const {
  for (const auto& service : services_) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

std::string KeySet::transcript(const ComponentKey& component) const {
  std::string text;
  hash_component(component, &text);
  return text;
}

std::vector<std::string> KeySet::transcripts(std::span<const ComponentKey* const> components) const {
  std::vector<std::string> out(components.size());
  tbb::parallel_for(std::size_t{0}, components.size(), [&](std::size_t i) { out[i] = transcript(*components[i]); });
  return out;
}

Digest128 KeySet::hash_component(const ComponentKey& component, std::string* transcript) const {
  Hasher h(transcript);
  const bool is_service = component.kind == graph::ComponentKind::service;
  h.field("format", kKeyFormat);
  h.field("kind", is_service ? "service" : "package");
  h.field("name", component.name);
  // The normalized config: every keyed field graph/config_fields.h declares,
  // as "config.<field>" (lists sorted, duplicates dropped: their order and
  // repetition never change a build), then the workspace's as "workspace.<field>".
  auto hash_fields = [&](std::string_view table) {
    return [&h, &component, is_service, table](const graph::FieldSpec& spec, const auto& member) {
      const bool keyed = spec.key == graph::KeyUse::all || (spec.key == graph::KeyUse::services && is_service);
      if (!keyed || !spec.applies_to(component.kind)) return;
      const std::string tag = fmt::format("{}.{}", table, spec.name);
      if constexpr (std::is_same_v<std::decay_t<decltype(member)>, std::vector<graph::SettingEntry>>) {
        // A nested table: one field per leaf, tagged with its pointer
        // ("config.image/entrypoint"), so `wharf explain` names the setting.
        for (const graph::SettingEntry& setting : member) h.field(tag + setting.pointer, setting.json);
      } else {
        for (const std::string& value : normalized_values(member)) h.field(tag, value);
      }
    };
  };
  graph::visit_fields(*component.config, hash_fields("config"));
  graph::visit_fields(*workspace_, hash_fields("workspace"));
  for (std::uint32_t f : component.files) {
    const InputFile& file = files_[f];
    h.field("file.path", file.path);
    h.field("file.mode", mode_string(file.mode));
    h.field("file.digest", file.digest);
  }
  for (std::uint32_t p : component.packages) {
    h.field("package.name", packages_[p].name);
    h.field("package.key", packages_[p].key);
  }
  for (const auto& [name, value] : component.env) {
    h.field("env.name", name);
    if (value) {
      h.secret("env.value", *value);
    } else {
      h.field("env.unset", "");
    }
  }
  return h.finish();
}

}  // namespace wharf::hashing
