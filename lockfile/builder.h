// What every format's reader hands over: instances and importers named by
// their keys, with dependencies as keys; the builder sorts them, numbers
// them and resolves the keys, so every format ends in the same canonical
// Lockfile (and the two pnpm strategies in equal ones).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockfile/lockfile.h"

namespace wharf::lockfile::detail {

// Dependencies are given as keys (resolved by finish()) or, by a reader that
// resolved them itself (pnpm, for speed), as positions of instances in the
// order they were added.
struct RawInstance {
  std::string key;
  Package package;
  std::vector<std::string> deps;         // keys of other instances
  std::vector<std::uint32_t> dep_ids;    // positions of other instances
  int line = 0;                          // where the lockfile lists it (0: unknown)
};

struct RawImporter {
  std::string dir;                     // normalised: "." or "a/b"
  std::vector<std::string> deps;       // keys of instances
  std::vector<std::uint32_t> dep_ids;  // positions of instances
  std::vector<std::string> links;      // dirs of other importers; unknown ones are dropped
  int line = 0;
};

class LockfileBuilder {
 public:
  LockfileBuilder(Format format, std::string_view file) : file_(file) { lockfile_.format = format; }

  void set_settings(std::string text) { lockfile_.settings = std::move(text); }
  void add_instance(RawInstance instance) { instances_.push_back(std::move(instance)); }
  // For a reader that fills instances in parallel: resize, then fill.
  std::vector<RawInstance>& instances() { return instances_; }
  void add_importer(RawImporter importer) { importers_.push_back(std::move(importer)); }
  bool has_importer(std::string_view dir) const;

  // The Lockfile; an error naming file:line for an instance listed twice or
  // a dependency on a key nobody lists.
  Result<Lockfile> finish();

 private:
  std::string file_;
  Lockfile lockfile_;
  std::vector<RawInstance> instances_;
  std::vector<RawImporter> importers_;
};

// `rel` (a '/'-separated relative path with `.`/`..`) taken from directory
// `base` ("." or "a/b"), normalised; nullopt when it leaves the root.
std::optional<std::string> join_dir(std::string_view base, std::string_view rel);

// "file:line: message" (or "file: message" for line 0), ErrorKind::config.
std::unexpected<Error> parse_error(std::string_view file, int line, std::string_view message);

// The `name` of a `name@rest` key (scoped names keep their leading '@'), and
// the rest; nullopt when there is no '@' after the name.
std::optional<std::pair<std::string_view, std::string_view>> split_at_version(std::string_view key);

// "k=v" lines sorted by key: a canonical text of settings.
std::string settings_text(std::vector<std::pair<std::string, std::string>> entries);

}  // namespace wharf::lockfile::detail
