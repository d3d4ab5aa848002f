// A parsed wharf.toml and its service graph kept in a compact binary file,
// so that a run whose config has not changed since the last one skips the
// TOML parse and the graph's checks and package searches.
//
// Why: a 500-service config is ~80 KB of TOML; toml++ builds a document of
// it and the reader turns that into a Config, ~30M instructions and ~480
// page faults, about a third of a whole `wharf plan --since` (callgrind).
// Decoding the snapshot re-reads a few strings per entry; the graph is then
// assembled from the package closures stored with it.
//
// A snapshot is named for the config's path and holds the XXH3-128 of the
// config's bytes (and of this format's version): a config whose bytes
// differ in any way is parsed again. The payload has its own checksum; a
// snapshot that is absent, stale, truncated or damaged is ignored and
// rewritten (temporary file + rename), so losing or breaking one makes wharf
// slower, never wrong. Problems writing it are not reported: it is a cache.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fs/file_system.h"
#include "graph/config.h"
#include "graph/graph.h"

namespace wharf::graph {

// The digest a snapshot of `config_text` is filed under (32 hex digits).
std::string snapshot_digest(std::string_view config_text);

// What a snapshot holds: the config, and each service's package closure
// (indices into config.packages, nearest first), as Graph::build found them.
struct Snapshot {
  Config config;
  std::vector<std::vector<std::uint32_t>> closures;
};

// Encodes a built graph's config and closures. Locations keep line and
// column; the file name is given again at decode time.
std::string encode_snapshot(const Graph& graph, std::string_view digest);

// The snapshot in `bytes`, or nullopt when the bytes are not a whole,
// undamaged snapshot of this format for `digest`. `file` names the config in
// the locations of the result, as parse_config's `file` does.
std::optional<Snapshot> decode_snapshot(std::string_view bytes, std::string_view digest, std::string_view file);

// Where the snapshot of the config at `config_path` lives in `cache_dir`.
std::string snapshot_path(std::string_view cache_dir, std::string_view config_path);

// Reads the config at `config_path` and returns its graph: assembled from the
// snapshot at `snapshot_file` when that matches the bytes, else with
// parse_config and Graph::build, then writing the snapshot (creating its
// directory). `snapshot_file` empty: no snapshot. Errors: ErrorKind::config
// for a config that cannot be read, and those of parse_config and
// Graph::build; no snapshot is written for a config with errors. `from_snapshot`, when given, says which way it went
// (tests). `digest`, when given and a snapshot file is named, receives snapshot_digest of the config's bytes.
Result<Graph> load_graph_with_snapshot(fs::FileSystem& fs, const std::string& config_path,
                                       const std::string& snapshot_file, bool* from_snapshot = nullptr,
                                       std::string* digest = nullptr);

}  // namespace wharf::graph
