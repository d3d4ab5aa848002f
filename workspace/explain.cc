#include "workspace/explain.h"

#include <map>

#include "hashing/xxh3.h"
#include "workspace/keys.h"

namespace wharf::workspace {

Result<Explanation> explain_service(Workspace& workspace, const std::string& name) {
  auto run = compute_keys(workspace, {name});
  if (!run) return std::unexpected(run.error());
  const hashing::KeySet& keys = *run->keys;
  cache::Cache& cache = **workspace.cache();  // opened by compute_keys
  const hashing::ComponentKey& service = keys.services().front();

  Explanation out;
  out.service = service.name;
  out.current_key = hashing::to_hex(service.key);
  out.input_files = service.input_files;
  auto artifact = cache.find_artifact(out.current_key);
  if (!artifact) return std::unexpected(artifact.error());
  out.current_cached = artifact->has_value();
  auto last = cache.last_built(service.name);
  if (!last) return std::unexpected(last.error());
  out.last_built = *last;
  if (!out.last_built || out.unchanged()) return out;

  auto old_transcript = cache.transcript(*out.last_built);
  if (!old_transcript) return std::unexpected(old_transcript.error());
  if (!*old_transcript || (*old_transcript)->empty()) return out;
  out.have_old_transcript = true;
  // Package transcripts: the current ones from memory, older ones from the cache.
  std::map<std::string, const hashing::ComponentKey*, std::less<>> current_packages;
  for (const auto& package : keys.packages()) current_packages[hashing::to_hex(package.key)] = &package;
  hashing::TranscriptLoader load = [&](std::string_view key) -> std::optional<std::string> {
    if (auto it = current_packages.find(key); it != current_packages.end()) return keys.transcript(*it->second);
    auto text = cache.transcript(key);
    if (!text) return std::nullopt;
    return *text;
  };
  out.changes = hashing::diff_transcripts(**old_transcript, keys.transcript(service), load);
  return out;
}

}  // namespace wharf::workspace
