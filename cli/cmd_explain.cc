// `wharf explain SERVICE`: why the service's input key differs from the key
// of the artifact last built for it.
#include <iostream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "cli/cmd_hash.h"
#include "hashing/explain.h"
#include "hashing/xxh3.h"

namespace wharf::cli {
namespace {

struct ExplainFlags {
  std::string service;
  std::string cache_dir;
};

Result<int> run_explain(const GlobalOptions& global, const ExplainFlags& flags) {
  auto session = hash_services(global, flags.cache_dir, {flags.service});
  if (!session) return std::unexpected(session.error());
  const hashing::KeySet& keys = *session->keys;
  cache::Cache& cache = *session->cache;
  const hashing::ComponentKey& service = keys.services().front();
  std::string current = hashing::to_hex(service.key);
  if (auto stored = store_transcripts(cache, keys); !stored) return std::unexpected(stored.error());

  auto artifact = cache.find_artifact(current);
  if (!artifact) return std::unexpected(artifact.error());
  std::string cached_note = artifact->has_value() ? "an artifact for it is cached" : "no artifact for it is cached";
  auto last = cache.last_built(service.name);
  if (!last) return std::unexpected(last.error());
  if (!*last) {
    std::cout << fmt::format("{}: nothing was ever built for this service in {}\n  current key {} ({} files)\n",
                             service.name, cache.dir(), current, service.input_files);
    return 0;
  }
  if (**last == current) {
    std::cout << fmt::format("{}: unchanged: key {} is the key of the artifact last built\n", service.name, current);
    return 0;
  }
  std::cout << fmt::format("{}: key {} differs from the key of the artifact last built, {}\n  ({})\n", service.name,
                           current, **last, cached_note);
  auto old_transcript = cache.transcript(**last);
  if (!old_transcript) return std::unexpected(old_transcript.error());
  if (!*old_transcript || (*old_transcript)->empty()) {
    std::cout << "  the cache holds no transcript for the last built key, so what changed cannot be told\n";
    return 0;
  }
  // Package transcripts: the current ones from memory, older ones from the cache.
  std::map<std::string, const hashing::ComponentKey*, std::less<>> current_packages;
  for (const auto& package : keys.packages()) current_packages[hashing::to_hex(package.key)] = &package;
  hashing::TranscriptLoader load = [&](std::string_view key) -> std::optional<std::string> {
    if (auto it = current_packages.find(key); it != current_packages.end()) return keys.transcript(*it->second);
    auto text = cache.transcript(key);
    if (!text) return std::nullopt;
    return *text;
  };
  auto changes = hashing::diff_transcripts(**old_transcript, keys.transcript(service), load);
  if (changes.empty()) {
    std::cout << "  no field differs (the key format changed?)\n";
    return 0;
  }
  std::string text = hashing::format_changes(changes);
  std::string indented;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    indented += "  " + text.substr(start, end - start + 1);
    start = end + 1;
  }
  std::cout << indented;
  return 0;
}

}  // namespace

void add_explain_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<ExplainFlags>();
  CLI::App* sub = app.add_subcommand("explain", "Why a service's input key differs from its last built artifact's");
  sub->add_option("service", flags->service, "The service")->required();
  sub->add_option("--cache-dir", flags->cache_dir,
                  "The cache directory (default: $WHARF_CACHE_DIR, else .wharf/cache at the repository root)");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_explain(global, *flags); }; });
}

}  // namespace wharf::cli
