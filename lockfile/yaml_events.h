// pnpm-lock.yaml read straight from libyaml's events into the few things a
// closure needs (each entry's key, resolution and dependencies), skipping
// the rest without building a tree: yaml/node.h's tree over a 5 MB lockfile
// costs more than the events themselves (bench/lockfile_bench.sh).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::lockfile::detail {

enum class Section { importers, packages, snapshots };
inline constexpr int kSections = 3;

struct RawDep {
  std::string name;
  std::string ref;  // a snapshot's `name: ref`, or an importer dependency's `version`
};

// One entry of importers/packages/snapshots.
struct RawEntry {
  std::string key;
  int line = 0;            // of the key, 1-based, in the text given to the reader
  std::string resolution;  // `resolution.integrity`, else the resolution's canonical text
  std::vector<RawDep> deps;  // dependencies, optionalDependencies, devDependencies
};

struct YamlFailure {
  int line = 0;  // 1-based in the text given; 0 when unknown
  std::string message;
};

// A text whose top level is a mapping of entries (a group of one section's
// entries, indented as in the lockfile); appends them to `out`.
bool read_entries(std::string_view text, std::vector<RawEntry>& out, YamlFailure& failure);

// A whole pnpm-lock.yaml: the three sections' entries, and every other
// top-level key with its value's canonical text.
struct WholeDocument {
  std::vector<RawEntry> sections[kSections];
  std::vector<std::pair<std::string, std::string>> settings;
};
bool read_whole(std::string_view text, WholeDocument& out, YamlFailure& failure);

// A text whose top level is a mapping (some top-level keys of a lockfile):
// appends each key with its value's canonical text.
bool read_settings(std::string_view text, std::vector<std::pair<std::string, std::string>>& out,
                   YamlFailure& failure);

// The section a top-level key names, or -1.
int section_of(std::string_view key);

}  // namespace wharf::lockfile::detail
