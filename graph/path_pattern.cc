#include "graph/path_pattern.h"

#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>

namespace wharf::graph {
namespace {

bool has_glob_chars(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; });
}

// One segment against one glob segment. fnmatch does the `*`/`?`/`[...]`
// work; the segment holds no '/', so FNM_PATHNAME is not needed. Leading dots
// are matched by `*` as in .gitignore (no FNM_PERIOD).
bool segment_matches(const std::string& glob, bool is_glob, std::string_view segment) {
  if (!is_glob) return glob == segment;
  char buffer[256];
  if (segment.size() < sizeof(buffer)) {
    segment.copy(buffer, segment.size());
    buffer[segment.size()] = '\0';
    return fnmatch(glob.c_str(), buffer, 0) == 0;
  }
  std::string copy(segment);
  return fnmatch(glob.c_str(), copy.c_str(), 0) == 0;
}

// True when `text` is a literal path already in normal form: no glob
// character, no empty, "." or ".." segment, no leading or trailing '/'. Most
// config paths are, and their pattern is just the text.
bool is_normal_literal(std::string_view text) {
  if (text.empty() || has_glob_chars(text)) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view segment = text.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (end == text.size()) return true;
    start = end + 1;
  }
}

}  // namespace

Result<PathPattern> PathPattern::parse(std::string_view text) {
  if (is_normal_literal(text)) {
    // A literal matches by prefix (matches() needs no segments): the text is
    // its own root.
    PathPattern pattern;
    pattern.text_ = text;
    pattern.root_size_ = text.size();
    return pattern;
  }
  if (text.empty()) {
    return fail(ErrorKind::config, "empty path; use \"**\" for the whole repository");
  }
  if (text.front() == '/') {
    return fail(ErrorKind::config,
                fmt::format("path '{}' is absolute; paths are relative to the repository root", text));
  }
  PathPattern pattern;
  const auto parts = static_cast<std::size_t>(std::count(text.begin(), text.end(), '/')) + 1;
  pattern.segments_.reserve(parts);
  pattern.segment_is_glob_.reserve(parts);
  pattern.text_.reserve(text.size());
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view segment = text.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      return fail(ErrorKind::config,
                  fmt::format("path '{}' escapes the repository ('..'); write it relative to the "
                              "repository root without '..'",
                              text));
    }
    bool is_glob = has_glob_chars(segment);
    // Collapse "**/**" to one "**": same meaning, less matching work.
    if (segment == "**" && !pattern.segments_.empty() && pattern.segments_.back() == "**") continue;
    pattern.segments_.emplace_back(segment);
    pattern.segment_is_glob_.push_back(is_glob);
    if (is_glob) pattern.literal_ = false;
  }
  if (pattern.segments_.empty()) {
    return fail(ErrorKind::config,
                fmt::format("path '{}' names the repository root; use \"**\" for the whole repository", text));
  }
  for (std::size_t i = 0; i < pattern.segments_.size(); ++i) {
    if (i) pattern.text_ += '/';
    pattern.text_ += pattern.segments_[i];
  }
  // The root: the leading literal segments (a literal pattern's is all of it).
  for (std::size_t i = 0; i < pattern.segments_.size() && !pattern.segment_is_glob_[i]; ++i) {
    pattern.root_size_ += (i ? 1 : 0) + pattern.segments_[i].size();
  }
  if (pattern.literal_) {
    pattern.segments_.clear();
    pattern.segment_is_glob_.clear();
  }
  return pattern;
}

bool PathPattern::matches(std::string_view path) const {
  if (literal_) return is_at_or_below(path, text_);
  if (!is_at_or_below(path, root())) return false;

  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }

  // reach[j]: pattern segments [0, i) can match path parts [0, j). Dynamic
  // programming keeps several `**` linear instead of exponential.
  const std::size_t n = parts.size();
  std::vector<char> reach(n + 1, 0), next(n + 1, 0);
  reach[0] = 1;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    std::fill(next.begin(), next.end(), 0);
    if (segments_[i] == "**") {
      char any = 0;
      for (std::size_t j = 0; j <= n; ++j) {
        any |= reach[j];
        next[j] = any;
      }
    } else {
      for (std::size_t j = 0; j < n; ++j) {
        if (reach[j] && segment_matches(segments_[i], segment_is_glob_[i], parts[j])) next[j + 1] = 1;
      }
    }
    reach.swap(next);
  }
  // The whole pattern matched some prefix of the path: that prefix is the
  // path itself or an ancestor directory, which covers the path.
  for (char r : reach) {
    if (r) return true;
  }
  return false;
}

}  // namespace wharf::graph
