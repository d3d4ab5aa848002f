// Why two keys differ, from their transcripts (the "tag: value" lines the
// tagged Hasher recorded): which input file, package, environment variable
// or config field changed. Used by `wharf explain`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::hashing {

struct KeyChange {
  enum class Kind {
    file_added,
    file_removed,
    file_changed,       // content
    file_mode_changed,  // exec bit, symlink-ness
    package_added,
    package_removed,
    package_changed,
    env_changed,
    config_changed,  // subject: the field ("config.build", "workspace.inputs", "format", ...)
  };
  Kind kind;
  std::string subject;  // path, package name, variable name or field
  std::string before;   // for file modes, env and config: the old value(s)
  std::string after;
  // package_changed: the package's own changes, when both of its
  // transcripts could be loaded.
  std::vector<KeyChange> nested;
};

// The transcript stored for a key (32 hex digits), if any.
using TranscriptLoader = std::function<std::optional<std::string>(std::string_view key_hex)>;

// The changes from `before` to `after`, files first (by path), then
// packages, environment variables and config fields. `load` (may be null)
// fetches package transcripts to say what changed inside a package.
std::vector<KeyChange> diff_transcripts(std::string_view before, std::string_view after, const TranscriptLoader& load);

// One line per change, nested changes indented; at most `limit` lines per
// kind and level ("... and N more").
std::string format_changes(const std::vector<KeyChange>& changes, std::size_t limit = 20);

}  // namespace wharf::hashing
