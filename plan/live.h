// The --live file: which git SHA is live for each service in an environment
// (an image tag read from the orchestrator, or a health endpoint's version).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "util/error.h"

namespace wharf::plan {

// service name -> revision as written (full or abbreviated SHA, or any rev).
using LiveShas = std::map<std::string, std::string>;

// Parses a JSON object {"service": "sha", ...}. Errors (ErrorKind::config)
// name `file` and the offending service or the JSON position.
Result<LiveShas> parse_live(std::string_view text, std::string_view file);
Result<LiveShas> load_live(const std::string& path);

}  // namespace wharf::plan
