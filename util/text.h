// Small string helpers shared by the config reader and the CLI.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wharf {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close enough to be a
// plausible typo (distance more than a third of the word, at least 2).
std::string nearest(std::string_view word, std::span<const std::string> candidates);

// Splits "a,b,,c" into {"a","b","c"} (empty parts dropped).
std::vector<std::string> split_list(std::string_view text, char sep);

// Joins with a separator.
std::string join(std::span<const std::string> parts, std::string_view sep);

// Lowercase hex of bytes (a digest).
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace wharf
