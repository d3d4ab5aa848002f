#include "hashing/service_key.h"

#include <algorithm>
#include <map>
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

std::string mode_string(std::uint32_t git_mode) {
  // The four modes git writes, without a format call per input file.
  switch (git_mode) {
    case kGitModeFile:
      return "100644";
    case kGitModeExecutable:
      return "100755";
    case kGitModeSymlink:
      return "120000";
    case kGitModeGitlink:
      return "160000";
    default:
      return fmt::format("{:06o}", git_mode);
  }
}

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
  for (const std::string& root : roots) {
    tracked.for_each_at_or_below(root, [&](const TrackedFile& t) { candidates.push_back(Candidate{t.path, &t.facts}); });
  }
  auto untracked = find_untracked(tree, roots);
  if (!untracked) return std::unexpected(untracked.error());
  for (std::string& path : *untracked) candidates.push_back(Candidate{std::move(path), nullptr});
  // Sorted already, but for the untracked files at the end and roots such
  // as "a" and "a-b" ('-' sorts before '/'): check before sorting 70,000
  // paths with long common prefixes.
  if (!std::is_sorted(candidates.begin(), candidates.end(), candidate_less)) {
    std::sort(candidates.begin(), candidates.end(), candidate_less);
  }
  candidates.erase(std::unique(candidates.begin(), candidates.end(),
                               [](const Candidate& a, const Candidate& b) { return a.path == b.path; }),
                   candidates.end());

  // 2. Which candidates each component takes (indices into candidates).
  // Each component's matching is its own (and read-only): in parallel.
  std::vector<std::vector<std::uint32_t>> package_files(packages.size());
  tbb::parallel_for(std::size_t{0}, packages.size(), [&](std::size_t p) {
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
  });
  std::vector<std::vector<std::uint32_t>> service_files(services.size());
  tbb::parallel_for(std::size_t{0}, services.size(), [&](std::size_t s) {
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
  });

  // 3. Hash every needed candidate once.
  // A mark per candidate, not a sort of the concatenated lists.
  std::vector<char> is_needed(candidates.size(), 0);
  for (const auto& files : package_files) {
    for (std::uint32_t i : files) is_needed[i] = 1;
  }
  for (const auto& files : service_files) {
    for (std::uint32_t i : files) is_needed[i] = 1;
  }
  std::vector<std::uint32_t> needed;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (is_needed[i]) needed.push_back(static_cast<std::uint32_t>(i));
  }
  std::vector<FileToHash> to_hash;
  to_hash.reserve(needed.size());
  // The paths move on into the key set: candidates are only indices from here.
  for (std::uint32_t i : needed) to_hash.push_back(FileToHash{std::move(candidates[i].path), candidates[i].facts});
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

  // 4. Package keys, then service keys. Each key is hashed on its own (in
  // parallel: a warm run spends a tenth of its time here otherwise).
  auto hash_in_parallel = [&set](std::vector<ComponentKey>& keys) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, keys.size(), 8), [&](const auto& range) {
      for (std::size_t i = range.begin(); i != range.end(); ++i) keys[i].key = set.hash_component(keys[i], nullptr);
    });
  };
  std::map<std::string, std::uint32_t> package_index;
  for (std::size_t p = 0; p < packages.size(); ++p) {
    ComponentKey key;
    key.kind = graph::ComponentKind::package;
    key.name = packages[p]->name;
    key.config = packages[p];
    key.files = to_files(package_files[p]);
    key.input_files = key.files.size();
    package_index[key.name] = static_cast<std::uint32_t>(set.packages_.size());
    set.packages_.push_back(std::move(key));
  }
  hash_in_parallel(set.packages_);
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
    set.services_.push_back(std::move(key));
  }
  hash_in_parallel(set.services_);
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
