// `wharf cache stats|gc|put`: inspect, trim and fill the build cache.
#include <cctype>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "cache/cache.h"
#include "cache/gc.h"
#include "cache/report.h"
#include "cache/size.h"
#include "cache/stats.h"
#include "cli/run.h"

namespace wharf::cli {
namespace {

struct CacheFlags {
  bool json = false;
  std::string max_size;
  std::size_t keep = 1;
  bool dry_run = false;
  std::string key;
  std::string service;
  std::string kind = "file";
  std::string file;
  std::string transcript_file;
};

Result<int> run_stats(const GlobalOptions& global, const CacheFlags& flags) {
  auto cache = workspace::open_cache(global.options, global.host);
  if (!cache) return std::unexpected(cache.error());
  auto stats = cache::collect_stats(**cache);
  if (!stats) return std::unexpected(stats.error());
  std::cout << (flags.json ? cache::stats_to_json(*stats) : cache::stats_to_text(*stats));
  return 0;
}

Result<int> run_gc(const GlobalOptions& global, const CacheFlags& flags) {
  auto max_size = cache::parse_size(flags.max_size);
  if (!max_size) return std::unexpected(Error{ErrorKind::usage, "--max-size: " + max_size.error().message});
  auto cache = workspace::open_cache(global.options, global.host);
  if (!cache) return std::unexpected(cache.error());
  cache::GcOptions options{*max_size, flags.keep, flags.dry_run ? cache::DryRun::yes : cache::DryRun::no,
                           cache::kUnreferencedGrace};
  auto report = cache::collect_garbage(**cache, options);
  if (!report) return std::unexpected(report.error());
  std::cout << (flags.json ? cache::gc_to_json(*report) : cache::gc_to_text(*report));
  return 0;
}

Result<int> run_put(const GlobalOptions& global, const CacheFlags& flags) {
  std::string key = flags.key;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!cache::is_input_key(key)) {
    return fail(ErrorKind::usage, fmt::format("--key: expected 32 hex digits, got '{}'", flags.key));
  }
  std::string transcript;
  if (!flags.transcript_file.empty()) {
    std::string path = workspace::from_directory(global.options, flags.transcript_file);
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(ErrorKind::not_found, fmt::format("cannot read --transcript {}", path));
    std::ostringstream text;
    text << in.rdbuf();
    transcript = std::move(text).str();
  }
  auto cache = workspace::open_cache(global.options, global.host);
  if (!cache) return std::unexpected(cache.error());
  auto record = (*cache)->artifacts().put_file(key, flags.service, flags.kind,
                                               workspace::from_directory(global.options, flags.file), transcript);
  if (!record) return std::unexpected(record.error());
  if (flags.json) {
    std::cout << cache::artifact_to_json(key, *record);
  } else {
    std::cout << fmt::format("{} {} {} {}\n", key, record->service, record->kind, record->digest);
  }
  return 0;
}

// Sets `action` to run `body` when `sub` is the chosen subcommand.
void bind(CLI::App* sub, const GlobalOptions& global, Action& action, std::shared_ptr<CacheFlags> flags,
          Result<int> (*body)(const GlobalOptions&, const CacheFlags&)) {
  sub->callback(
      [&global, &action, flags, body] { action = [&global, flags, body]() { return body(global, *flags); }; });
}

}  // namespace

void add_cache_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<CacheFlags>();
  CLI::App* cache = app.add_subcommand("cache", "Inspect, trim and fill the build cache");
  cache->require_subcommand(1);

  CLI::App* stats = cache->add_subcommand("stats", "Entries and bytes per database, blobs and map size");
  stats->add_flag("--json", flags->json, "Print JSON");
  bind(stats, global, action, flags, run_stats);

  CLI::App* gc = cache->add_subcommand("gc", "Remove least recently used artifacts until the blobs fit a size");
  gc->add_option("--max-size", flags->max_size, "Budget for artifact bytes: 1024, 500M, 2G")->required();
  gc->add_option("--keep", flags->keep, "Most recently used artifacts always kept per service")->capture_default_str();
  gc->add_flag("--dry-run", flags->dry_run, "Say what would be removed, remove nothing");
  gc->add_flag("--json", flags->json, "Print JSON");
  bind(gc, global, action, flags, run_gc);

  CLI::App* put = cache->add_subcommand("put", "Store FILE as the artifact for an input key (for scripts and tests)");
  put->add_option("--key", flags->key, "The service input key, 32 hex digits")->required();
  put->add_option("--service", flags->service, "The service the artifact belongs to")->required();
  put->add_option("--kind", flags->kind, "zip, oci-layer, file, ...")->capture_default_str();
  put->add_option("--transcript", flags->transcript_file, "A file with the transcript of what was hashed");
  put->add_option("FILE", flags->file, "The artifact's bytes")->required();
  put->add_flag("--json", flags->json, "Print JSON");
  bind(put, global, action, flags, run_put);
}

}  // namespace wharf::cli
