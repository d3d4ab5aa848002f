// Small text helpers shared by the line-based readers (Dockerfile,
// .dockerignore, .env, go.mod).
#pragma once

#include <string_view>
#include <vector>

#include "util/text.h"

namespace wharf::infer {

using ::wharf::trim;

// The lines of `text` without their '\n' (line N is element N-1); a final
// newline does not start another line.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace wharf::infer
