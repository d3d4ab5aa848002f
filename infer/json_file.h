// JSON files (package.json) read with nlohmann-json; a file that does not
// parse is a warning at its line, never an error.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "infer/warnings.h"

namespace wharf::infer {

// The document, or nullopt after a warning "file:line: ..." (nlohmann gives
// a byte offset; the line is counted from it).
std::optional<nlohmann::json> read_json(std::string_view text, std::string_view file, Warnings& warnings);

}  // namespace wharf::infer
