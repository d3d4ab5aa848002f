#include "hashing/service_key.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "hashing/hasher.h"

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

  bool contains(std::string_view path) const {
    auto it = std::lower_bound(tracked_.begin(), tracked_.end(), path, by_path);
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

Result<bool> ignored(const WorkTree& tree, const std::string& path) {
  if (!tree.is_ignored) return false;
  return tree.is_ignored(path);
}

// Appends the untracked, not ignored files at or below `root` (a file or a
// directory, "" = the whole work tree). Does not follow symlinks; skips .git.
Result<void> append_untracked(const WorkTree& tree, const TrackedIndex& tracked, const std::string& root,
                              std::vector<Candidate>& out) {
  auto full = [&](const std::string& rel) { return rel.empty() ? tree.root : tree.root + "/" + rel; };
  std::vector<std::string> dirs;
  if (root.empty()) {
    dirs.push_back("");
  } else {
    auto stat = tree.fs->stat(full(root));
    if (!stat) {
      if (stat.error().kind == ErrorKind::not_found) return ok();
      return std::unexpected(stat.error());
    }
    if (stat->type == fs::FileType::directory) {
      if (tracked.contains(root)) return ok();  // a submodule
      if (!tracked.has_below(root)) {
        auto skip = ignored(tree, root + "/");
        if (!skip) return std::unexpected(skip.error());
        if (*skip) return ok();
      }
      dirs.push_back(root);
    } else if (stat->type == fs::FileType::regular || stat->type == fs::FileType::symlink) {
      if (tracked.contains(root)) return ok();
      auto skip = ignored(tree, root);
      if (!skip) return std::unexpected(skip.error());
      if (!*skip) out.push_back(Candidate{root, nullptr});
      return ok();
    } else {
      return ok();
    }
  }
  while (!dirs.empty()) {
    std::string dir = std::move(dirs.back());
    dirs.pop_back();
    auto entries = tree.fs->list_dir(full(dir));
    if (!entries) {
      if (entries.error().kind == ErrorKind::not_found) continue;  // removed meanwhile
      return std::unexpected(entries.error());
    }
    for (const fs::DirEntry& entry : *entries) {
      if (entry.name == ".git") continue;
      std::string path = join_rel(dir, entry.name);
      if (entry.type == fs::FileType::directory) {
        if (tracked.contains(path)) continue;  // a submodule: its commit is the input
        if (!tracked.has_below(path)) {
          auto skip = ignored(tree, path + "/");
          if (!skip) return std::unexpected(skip.error());
          if (*skip) continue;
        }
        dirs.push_back(std::move(path));
      } else if (entry.type == fs::FileType::regular || entry.type == fs::FileType::symlink) {
        if (tracked.contains(path)) continue;
        auto skip = ignored(tree, path);
        if (!skip) return std::unexpected(skip.error());
        if (!*skip) out.push_back(Candidate{std::move(path), nullptr});
      }
    }
  }
  return ok();
}

// Roots that cover every given root, none below another.
std::vector<std::string> minimal_roots(std::vector<std::string> roots) {
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  std::vector<std::string> out;
  for (auto& root : roots) {
    bool covered = std::any_of(out.begin(), out.end(), [&](const std::string& r) { return graph::is_at_or_below(root, r); });
    if (!covered) out.push_back(std::move(root));
  }
  // A root can only be covered by a prefix of it, which sorts before it.
  return out;
}

bool candidate_less(const Candidate& a, const Candidate& b) { return a.path < b.path; }

// Indices of candidates at or below `root` ("" = all).
template <class Fn>
void for_each_at_or_below(const std::vector<Candidate>& candidates, const std::string& root, Fn&& fn) {
  auto by = [](const Candidate& c, std::string_view p) { return c.path < p; };
  if (root.empty()) {
    for (std::size_t i = 0; i < candidates.size(); ++i) fn(i);
    return;
  }
  auto it = std::lower_bound(candidates.begin(), candidates.end(), std::string_view(root), by);
  if (it != candidates.end() && it->path == root) fn(static_cast<std::size_t>(it - candidates.begin()));
  std::string prefix = root + "/";
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

std::vector<std::string> sorted_texts(const std::vector<graph::PatternEntry>& patterns) {
  std::vector<std::string> out;
  out.reserve(patterns.size());
  for (const auto& p : patterns) out.push_back(p.pattern.text());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::string mode_string(std::uint32_t git_mode) { return fmt::format("{:06o}", git_mode); }

Result<KeySet> KeySet::compute(const graph::Graph& graph, std::span<const graph::Service* const> services,
                               const WorkTree& tree, FileHasher& hasher, const EnvLookup& env) {
  const graph::Config& config = graph.config();
  KeySet set;
  set.workspace_ = &config.workspace;

  // The packages these services use, each once.
  std::vector<const graph::ComponentConfig*> packages;
  for (const graph::Service* service : services) {
    for (const std::string& name : service->packages) {
      const graph::ComponentConfig* package = graph.find_package(name);
      if (package && std::find(packages.begin(), packages.end(), package) == packages.end()) {
        packages.push_back(package);
      }
    }
  }

  // 1. Candidates: tracked and untracked files below every input root.
  std::vector<std::string> roots;
  for (const graph::Service* service : services) {
    for (const graph::Input& input : service->inputs) roots.push_back(input.pattern().root());
  }
  roots = minimal_roots(std::move(roots));
  TrackedIndex tracked(tree.tracked);
  std::vector<Candidate> candidates;
  for (const std::string& root : roots) {
    tracked.append_at_or_below(root, candidates);
    if (auto walked = append_untracked(tree, tracked, root, candidates); !walked) {
      return std::unexpected(walked.error());
    }
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
    std::vector<std::string> names = service.packages;
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      auto found = package_index.find(name);
      if (found == package_index.end()) continue;
      std::uint32_t index = found->second;
      // The package as this service sees it, after the service's excludes.
      const ComponentKey& shared = set.packages_[index];
      std::vector<std::uint32_t> seen;
      for (std::uint32_t f : shared.files) {
        if (!graph::Graph::is_excluded(service, set.files_[f].path)) seen.push_back(f);
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
    std::vector<std::string> env_names = service.config->env;
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

Digest128 KeySet::hash_component(const ComponentKey& component, std::string* transcript) const {
  Hasher h(transcript);
  const bool is_service = component.kind == graph::ComponentKind::service;
  h.field("format", kKeyFormat);
  h.field("kind", is_service ? "service" : "package");
  h.field("name", component.name);
  const graph::ComponentConfig& config = *component.config;
  for (const auto& text : sorted_texts(config.paths)) h.field("config.path", text);
  for (const auto& text : sorted_texts(config.exclude)) h.field("config.exclude", text);
  std::vector<std::string> deps;
  for (const auto& dep : config.deps) deps.push_back(dep.name);
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  for (const auto& dep : deps) h.field("config.dep", dep);
  if (is_service) {
    for (const auto& [name, value] : component.env) h.field("config.env", name);
    h.field("config.build", config.build);
    for (const auto& text : sorted_texts(workspace_->inputs)) h.field("workspace.input", text);
  }
  for (const auto& text : sorted_texts(workspace_->exclude)) h.field("workspace.exclude", text);
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
