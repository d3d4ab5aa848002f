// Reading one file of a snapshot when a missing or unreadable one is not an
// error for inference, only something to say.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fs/source_tree.h"
#include "infer/warnings.h"

namespace wharf::infer {

// The contents of `path` in `tree`; nullopt when there is no such file, or
// after a warning when it could not be read (a blob a partial clone left out).
std::optional<std::string> read_file(const fs::SourceTree& tree, std::string_view path, Warnings& warnings);

}  // namespace wharf::infer
