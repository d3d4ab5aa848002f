// `wharf hash`: the input key of each service, and whether an artifact for it
// is cached.
#include "cli/cmd_hash.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fs/real_file_system.h"
#include "hashing/xxh3.h"
#include "util/text.h"
#include "vcs/index.h"

namespace wharf::cli {
namespace {

struct HashFlags {
  std::vector<std::string> services;
  bool json = false;
  std::string cache_dir;
  bool stats = false;
};

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
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<std::string> getenv_value(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

Result<int> run_hash(const GlobalOptions& global, const HashFlags& flags) {
  auto session = hash_services(global, flags.cache_dir, flags.services);
  if (!session) return std::unexpected(session.error());
  const hashing::KeySet& keys = *session->keys;
  if (auto stored = store_transcripts(*session->cache, keys); !stored) return std::unexpected(stored.error());
  session->phases.lap("transcripts");

  nlohmann::ordered_json services = nlohmann::ordered_json::array();
  std::string text;
  for (const hashing::ComponentKey& service : keys.services()) {
    std::string key = hashing::to_hex(service.key);
    auto artifact = session->cache->find_artifact(key);
    if (!artifact) return std::unexpected(artifact.error());
    bool cached = artifact->has_value();
    services.push_back({{"name", service.name}, {"key", key}, {"cached", cached}, {"files", service.input_files}});
    text += fmt::format("{}  {}  {}  ({} files)\n", key, service.name, cached ? "cached" : "not cached",
                        service.input_files);
  }
  const hashing::HashStats& stats = session->stats;
  if (flags.stats) std::cerr << "wharf: phases: " << session->phases.str() << "\n";
  if (flags.json) {
    nlohmann::ordered_json out;
    out["services"] = std::move(services);
    out["stats"] = {{"files", stats.files},
                    {"stat_hits", stats.stat_hits},
                    {"blob_hits", stats.blob_hits},
                    {"files_read", stats.files_read},
                    {"bytes_read", stats.bytes_read}};
    out["stats"]["corrupt_records"] = session->cache->env().corrupt_records();
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << text;
    if (flags.stats) {
      std::cout.flush();
      std::cerr << fmt::format(
          "wharf: stats: files={} stat_hits={} blob_hits={} files_read={} bytes_read={} corrupt_records={}\n",
          stats.files, stats.stat_hits, stats.blob_hits, stats.files_read, stats.bytes_read,
          session->cache->env().corrupt_records());
    }
  }
  return 0;
}

}  // namespace

Result<HashSession> hash_services(const GlobalOptions& global, const std::string& cache_dir,
                                  const std::vector<std::string>& services) {
  HashSession session;
  auto workspace = open_workspace(global);
  if (!workspace) return std::unexpected(workspace.error());
  session.workspace = std::make_unique<Workspace>(std::move(*workspace));
  const graph::Graph& graph = session.workspace->graph;

  std::vector<const graph::Service*> selected;
  if (services.empty()) {
    for (const auto& service : graph.services()) selected.push_back(&service);
  }
  for (const std::string& name : services) {
    const graph::Service* service = graph.find_service(name);
    if (!service) {
      std::vector<std::string> names;
      for (const auto& s : graph.services()) names.push_back(s.name);
      std::string suggestion = nearest(name, names);
      return fail(ErrorKind::usage,
                  fmt::format("unknown service '{}'{}", name,
                              suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion)));
    }
    if (std::find(selected.begin(), selected.end(), service) == selected.end()) selected.push_back(service);
  }

  const vcs::Repository& repo = session.workspace->repo;
  auto dir = cache::resolve_cache_dir(repo.workdir(), cache_dir);
  if (!dir) return std::unexpected(dir.error());
  std::vector<std::string> warnings;
  auto cache = cache::Cache::open(*dir, warnings);
  for (const auto& warning : warnings) std::cerr << "wharf: warning: " << warning << "\n";
  if (!cache) return std::unexpected(cache.error());
  session.cache = std::move(*cache);
  session.phases.lap("config+cache");

  auto index = vcs::Index::read(repo);
  if (!index) return std::unexpected(index.error());
  // Paths relative to the work tree, resolved through a descriptor of it.
  session.fs = std::make_unique<fs::RealFileSystem>(repo.workdir());
  session.tree.fs = session.fs.get();
  session.tree.root = "";
  session.tree.tracked = tracked_files(std::move(*index).release());
  session.tree.is_ignored = [&repo](const std::string& path) { return vcs::is_ignored(repo, path); };
  session.phases.lap("index");

  cache::LmdbStatCache stat_cache(session.cache->env());
  hashing::FileHasher hasher(*session.fs, "", &stat_cache);
  session.tree.listing_cache = &stat_cache;
  auto keys = hashing::KeySet::compute(graph, selected, session.tree, hasher, getenv_value);
  session.tree.listing_cache = nullptr;  // stat_cache ends here
  if (!keys) return std::unexpected(keys.error());
  session.keys = std::make_unique<hashing::KeySet>(std::move(*keys));
  session.stats = hasher.stats();
  session.phases.lap("keys");
  return session;
}

Result<void> store_transcripts(cache::Cache& cache, const hashing::KeySet& keys) {
  // Which components' transcripts are missing (one read transaction).
  std::vector<const hashing::ComponentKey*> components;
  for (const auto& service : keys.services()) {
    components.push_back(&service);
    for (std::uint32_t p : service.packages) components.push_back(&keys.packages()[p]);
  }
  std::vector<std::pair<std::string, const hashing::ComponentKey*>> missing;
  auto checked = cache.env().read([&](cache::Txn& txn) -> Result<void> {
    for (const hashing::ComponentKey* component : components) {
      std::string key = hashing::to_hex(component->key);
      auto found = txn.get(cache::Db::transcripts, key);
      if (!found) return std::unexpected(found.error());
      // An empty transcript (from an older wharf) counts as missing.
      if (!*found || (*found)->empty()) missing.emplace_back(std::move(key), component);
    }
    return ok();
  });
  if (!checked) return std::unexpected(checked.error());
  if (missing.empty()) return ok();
  std::sort(missing.begin(), missing.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  missing.erase(
      std::unique(missing.begin(), missing.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
      missing.end());
  std::vector<const hashing::ComponentKey*> todo;
  todo.reserve(missing.size());
  for (const auto& entry : missing) todo.push_back(entry.second);
  std::vector<std::string> texts = keys.transcripts(todo);
  return cache.env().write([&](cache::Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (auto put = txn.put(cache::Db::transcripts, missing[i].first, texts[i]); !put) return put;
    }
    return ok();
  });
}

void add_hash_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* sub = app.add_subcommand("hash", "Print each service's input key and whether its artifact is cached");
  sub->add_option("services", flags->services, "Services to hash (default: all)");
  sub->add_flag("--json", flags->json, "Print JSON, with hashing counters");
  sub->add_option("--cache-dir", flags->cache_dir,
                  "The cache directory (default: $WHARF_CACHE_DIR, else .wharf/cache at the repository root)");
  sub->add_flag("--stats", flags->stats, "Print hashing counters to stderr");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_hash(global, *flags); }; });
}

}  // namespace wharf::cli
