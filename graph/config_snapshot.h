// A parsed wharf.toml kept in a compact binary file, so that a run whose
// config has not changed since the last one skips the TOML parse.
//
// Why: a 500-service config is ~80 KB of TOML; toml++ builds a document of
// it and the reader turns that into a Config, ~30M instructions and ~480
// page faults, about a third of a whole `wharf plan --since` (callgrind).
// Decoding the snapshot re-reads a few strings per entry.
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

namespace wharf::graph {

// The digest a snapshot of `config_text` is filed under (32 hex digits).
std::string snapshot_digest(std::string_view config_text);

// Encodes a parsed config. Locations keep line and column; the file name is
// given again at decode time.
std::string encode_snapshot(const Config& config, std::string_view digest);

// The config in `bytes`, or nullopt when the bytes are not a whole,
// undamaged snapshot of this format for `digest`. `file` names the config in
// the locations of the result, as parse_config's `file` does.
std::optional<Config> decode_snapshot(std::string_view bytes, std::string_view digest, std::string_view file);

// Where the snapshot of the config at `config_path` lives in `cache_dir`.
std::string snapshot_path(std::string_view cache_dir, std::string_view config_path);

// Reads the config at `config_path` and returns it parsed: from the snapshot
// at `snapshot_file` when that matches the bytes, else with parse_config,
// then writing the snapshot (creating its directory). `snapshot_file` empty:
// no snapshot. Errors are load_config's. `from_snapshot`, when given, says
// which way it went (for --stats and tests).
Result<Config> load_config_with_snapshot(fs::FileSystem& fs, const std::string& config_path,
                                         const std::string& snapshot_file, bool* from_snapshot = nullptr);

}  // namespace wharf::graph
