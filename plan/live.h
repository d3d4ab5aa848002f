// The --live file: which git SHA is live for each service in an environment
// (an image tag read from the orchestrator, or a health endpoint's version).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "util/error.h"

namespace wharf::plan {

// service name -> revision as written (full or abbreviated SHA, or any rev).
using LiveShas = std::map<std::string, std::string>;

// Limits on what a live file may hold. The file is a flat object written by a
// script, so anything past these is a broken or hostile file: it gets a short
// error, never a stack overflow or a message as long as the file.
inline constexpr std::size_t kLiveMaxDepth = 64;  // nesting of [ and {
// Longest service name and revision accepted (bytes); git ref names and
// wharf's service names are far shorter.
inline constexpr std::size_t kLiveMaxText = 1024;

// Parses a JSON object {"service": "sha", ...}. Errors (ErrorKind::config)
// name `file` and the offending service or the JSON position; values and
// names are quoted cut to a readable length, control characters escaped.
// Rejected: nesting deeper than kLiveMaxDepth, a service named twice, a name
// or revision that is empty, longer than kLiveMaxText or holds a control
// character (a NUL would cut the revision short on its way to libgit2).
Result<LiveShas> parse_live(std::string_view text, std::string_view file);
Result<LiveShas> load_live(const std::string& path);

}  // namespace wharf::plan
