// Repository-relative paths as inference handles them: '/'-separated, no
// leading "./" or '/', no trailing '/', "" for the repository root.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wharf::infer {

// `relative` taken from directory `dir` and normalized ("./a//b/." -> "a/b",
// "a/../b" -> "b"). A leading '/' in `relative` means `dir` itself (as in a
// Dockerfile's COPY source, which is relative to the build context). nullopt
// when the result would leave the repository (more ".." than directories).
std::optional<std::string> join_relative(std::string_view dir, std::string_view relative);

// "a/b/c" -> "a/b"; "c" -> "".
std::string_view parent_dir(std::string_view path);
// "a/b/c" -> "c".
std::string_view base_name(std::string_view path);

// `dir` + "/" + `name`, or `name` alone when `dir` is the root.
std::string child_path(std::string_view dir, std::string_view name);

// How a directory is written in a comment: "." for the root.
std::string display_dir(std::string_view dir);

// The 1-based line of byte `offset` in `text` (an offset past the end counts
// as the last line).
int line_of_offset(std::string_view text, std::size_t offset);

}  // namespace wharf::infer
