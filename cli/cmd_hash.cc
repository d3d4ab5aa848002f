// `wharf hash`: the input key of each service, and whether an artifact for it
// is cached.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/run.h"
#include "workspace/keys.h"

namespace wharf::cli {
namespace {

struct HashFlags {
  std::vector<std::string> services;
  bool json = false;
  bool stats = false;
};

Result<int> run_hash(const GlobalOptions& global, const HashFlags& flags) {
  auto workspace = workspace::Workspace::open(global.options, global.host);
  if (!workspace) return std::unexpected(workspace.error());
  auto run = workspace::compute_keys(*workspace, flags.services);
  if (!run) return std::unexpected(run.error());
  auto statuses = workspace::key_statuses(**workspace->cache(), *run->keys);
  if (!statuses) return std::unexpected(statuses.error());

  const hashing::HashStats& stats = run->stats;
  // Cache records that failed their checksum and were read as misses.
  const auto corrupt_records = (*workspace->cache())->env().corrupt_records();
  if (flags.stats) std::cerr << "wharf: phases: " << run->phases.str() << "\n";
  if (flags.json) {
    nlohmann::ordered_json services = nlohmann::ordered_json::array();
    for (const auto& s : *statuses) {
      services.push_back({{"name", s.name}, {"key", s.key}, {"cached", s.cached}, {"files", s.files}});
    }
    nlohmann::ordered_json out;
    out["services"] = std::move(services);
    out["stats"] = {{"files", stats.files},
                    {"stat_hits", stats.stat_hits},
                    {"blob_hits", stats.blob_hits},
                    {"files_read", stats.files_read},
                    {"bytes_read", stats.bytes_read}};
    out["stats"]["corrupt_records"] = corrupt_records;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& s : *statuses) {
    std::cout << fmt::format("{}  {}  {}  ({} files)\n", s.key, s.name, s.cached ? "cached" : "not cached", s.files);
  }
  if (flags.stats) {
    std::cout.flush();
    std::cerr << fmt::format(
        "wharf: stats: files={} stat_hits={} blob_hits={} files_read={} bytes_read={} corrupt_records={}\n",
        stats.files, stats.stat_hits, stats.blob_hits, stats.files_read, stats.bytes_read, corrupt_records);
  }
  return 0;
}

}  // namespace

void add_hash_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* sub = app.add_subcommand("hash", "Print each service's input key and whether its artifact is cached");
  sub->add_option("services", flags->services, "Services to hash (default: all)");
  sub->add_flag("--json", flags->json, "Print JSON, with hashing counters");
  sub->add_flag("--stats", flags->stats, "Print hashing counters to stderr");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_hash(global, *flags); }; });
}

}  // namespace wharf::cli
