// Small string helpers shared by the config reader and the CLI.
#pragma once

#include <cstdint>
#include <optional>
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

// `text` without blanks, tabs, '\r' and '\n' at either end.
std::string_view trim(std::string_view text);

// The position of the first NUL or other control character (below 0x20, or
// 0x7f) in `text`; tabs and newlines are allowed when `allow_tab_newline`.
std::optional<std::size_t> find_control_char(std::string_view text, bool allow_tab_newline = false);

// A name of a service, package or environment: a letter or digit, then
// letters, digits, '.', '_' or '-', at most kMaxNameLength characters.
inline constexpr std::size_t kMaxNameLength = 100;
bool is_valid_name(std::string_view name);

// An environment variable name: a letter or '_', then letters, digits or '_'.
bool is_env_var_name(std::string_view name);

// `text` for an error message: control characters as \xNN, cut after `max`
// bytes (not inside a UTF-8 sequence) with "... (N bytes in all)" after, so a
// hostile value never makes a message unreadable or huge.
std::string printable(std::string_view text, std::size_t max = 80);

// Lowercase hex of bytes (a digest).
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace wharf
