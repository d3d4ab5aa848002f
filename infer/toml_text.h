// TOML as `wharf init` writes and reads it, through toml++: quoting, and the
// tables a hand-written wharf.toml already defines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace wharf::infer {

// `text` as a TOML basic string, quotes and escapes included.
std::string toml_string(std::string_view text);

// A key segment: bare when TOML allows ([A-Za-z0-9_-]+), else quoted.
std::string toml_key(std::string_view key);

// The tables of a wharf.toml text that inference also writes: "workspace",
// "service.NAME", "package.NAME" (sorted). A table counts when the text
// defines it or anything below it ([service.api.image] defines service.api).
// ErrorKind::config "file:line:col: ..." when the text is not TOML.
Result<std::vector<std::string>> defined_tables(std::string_view text, std::string_view file);

}  // namespace wharf::infer
