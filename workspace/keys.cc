#include "workspace/keys.h"

#include <algorithm>

#include <fmt/format.h>

#include "cache/stat_store.h"
#include "hashing/xxh3.h"
#include "util/text.h"

namespace wharf::workspace {

Result<std::vector<const graph::Service*>> select_services(const graph::Graph& graph,
                                                           const std::vector<std::string>& names) {
  std::vector<const graph::Service*> selected;
  if (names.empty()) {
    for (const auto& service : graph.services()) selected.push_back(&service);
  }
  for (const std::string& name : names) {
    const graph::Service* service = graph.find_service(name);
    if (!service) {
      std::vector<std::string> all;
      for (const auto& s : graph.services()) all.push_back(s.name);
      std::string suggestion = nearest(name, all);
      return fail(ErrorKind::usage,
                  fmt::format("unknown service '{}'{}", printable(name),
                              suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
    }
    if (std::find(selected.begin(), selected.end(), service) == selected.end()) selected.push_back(service);
  }
  return selected;
}

std::vector<hashing::TrackedFile> tracked_files(std::vector<vcs::IndexEntry> entries) {
  std::vector<hashing::TrackedFile> out;
  out.reserve(entries.size());
  for (vcs::IndexEntry& e : entries) {
    hashing::TrackedFile t;
    t.path = std::move(e.path);
    static_assert(sizeof(e.id.id) >= 20);
    std::copy_n(e.id.id, t.facts.blob_id.size(), t.facts.blob_id.begin());
    t.facts.mode = e.mode;
    t.facts.mtime_sec = e.mtime_sec;
    t.facts.mtime_nsec = e.mtime_nsec;
    t.facts.ctime_sec = e.ctime_sec;
    t.facts.ctime_nsec = e.ctime_nsec;
    t.facts.ino = e.ino;
    t.facts.size = e.file_size;
    t.facts.racy = e.racy || e.conflicted;
    t.conflicted = e.conflicted;
    t.skip_worktree = e.skip_worktree || e.assume_unchanged;
    t.intent_to_add = e.intent_to_add;
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

// Stores the transcript of each key (services and the packages they use)
// that the cache does not have yet, so `wharf explain` can read it.
Result<void> store_transcripts(cache::Cache& cache, const hashing::KeySet& keys) {
  std::vector<const hashing::ComponentKey*> components;
  std::vector<std::string> hex;
  auto add = [&](const hashing::ComponentKey& component) {
    components.push_back(&component);
    hex.push_back(hashing::to_hex(component.key));
  };
  for (const auto& service : keys.services()) {
    add(service);
    for (std::uint32_t p : service.packages) add(keys.packages()[p]);
  }
  auto missing = cache.missing_transcripts(hex);
  if (!missing) return std::unexpected(missing.error());
  if (missing->empty()) return ok();
  std::vector<const hashing::ComponentKey*> todo;
  std::vector<std::string> todo_keys;
  for (std::size_t i : *missing) {
    todo.push_back(components[i]);
    todo_keys.push_back(hex[i]);
  }
  return cache.put_transcripts(todo_keys, keys.transcripts(todo));
}

}  // namespace

Result<KeyRun> compute_keys(Workspace& workspace, const std::vector<std::string>& services) {
  KeyRun run;
  auto selected = select_services(workspace.graph(), services);
  if (!selected) return std::unexpected(selected.error());
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  run.phases.lap("cache");

  const vcs::Repository& repo = workspace.repo();
  auto index = vcs::Index::read(repo);
  if (!index) return std::unexpected(index.error());
  // Paths relative to the work tree, resolved through a descriptor of it.
  run.fs = std::make_unique<fs::RealFileSystem>(repo.workdir());
  run.tree.fs = run.fs.get();
  run.tree.root = "";
  run.tree.tracked = tracked_files(std::move(*index).release());
  run.tree.is_ignored = [&repo](const std::string& path) { return vcs::is_ignored(repo, path); };
  run.phases.lap("index");

  cache::LmdbStatCache stat_cache((*cache)->env());
  hashing::FileHasher hasher(*run.fs, "", &stat_cache);
  run.tree.listing_cache = &stat_cache;
  auto keys = hashing::KeySet::compute(workspace.graph(), *selected, run.tree, hasher, workspace.host().getenv);
  run.tree.listing_cache = nullptr;  // stat_cache ends here
  if (!keys) return std::unexpected(keys.error());
  run.keys = std::make_unique<hashing::KeySet>(std::move(*keys));
  run.stats = hasher.stats();
  run.phases.lap("keys");
  if (auto stored = store_transcripts(**cache, *run.keys); !stored) return std::unexpected(stored.error());
  run.phases.lap("transcripts");
  return run;
}

Result<std::vector<KeyStatus>> key_statuses(cache::Cache& cache, const hashing::KeySet& keys) {
  std::vector<KeyStatus> out;
  for (const hashing::ComponentKey& service : keys.services()) {
    KeyStatus status{service.name, hashing::to_hex(service.key), false, service.input_files};
    auto artifact = cache.find_artifact(status.key);
    if (!artifact) return std::unexpected(artifact.error());
    status.cached = artifact->has_value();
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace wharf::workspace
