#include "graph/path_pattern.h"

#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>

#include "util/text.h"

namespace wharf::graph {
namespace {

bool has_glob_chars(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; });
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
  if (auto at = find_control_char(text)) {
    // A NUL cut the path short for every C API below (a different file than
    // written, or an endless walk); other control characters are typos.
    return fail(ErrorKind::config, fmt::format("path \"{}\" holds a control character (byte {}); remove it",
                                               printable(text), *at));
  }
  // What no file system here can hold (PATH_MAX, NAME_MAX on Linux): a typo
  // or a pasted blob, better named here than as a failed stat later.
  constexpr std::size_t kMaxPath = 4095;
  constexpr std::size_t kMaxSegment = 255;
  std::size_t longest = 0;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = std::min(text.find('/', start), text.size());
    longest = std::max(longest, end - start);
    start = end + 1;
  }
  if (text.size() > kMaxPath || longest > kMaxSegment) {
    return fail(ErrorKind::config, fmt::format("path \"{}\" is too long ({} bytes, a part of {}); at most {} bytes, "
                                               "{} per part",
                                               printable(text), text.size(), longest, kMaxPath, kMaxSegment));
  }
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
  pattern.segments_.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '/')) + 1);
  pattern.text_.reserve(text.size());
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view segment = text.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      return fail(ErrorKind::config, fmt::format("path '{}' escapes the repository ('..'); write it relative to the "
                                                 "repository root without '..'",
                                                 text));
    }
    SegmentKind kind = segment == "**"           ? SegmentKind::any_dirs
                       : has_glob_chars(segment) ? SegmentKind::glob
                                                 : SegmentKind::literal;
    // Collapse "**/**" to one "**": same meaning, less matching work.
    if (kind == SegmentKind::any_dirs && !pattern.segments_.empty() &&
        pattern.segments_.back().kind == SegmentKind::any_dirs) {
      continue;
    }
    if (!pattern.text_.empty()) pattern.text_ += '/';
    pattern.segments_.push_back(
        Segment{static_cast<std::uint32_t>(pattern.text_.size()), static_cast<std::uint32_t>(segment.size()), kind});
    pattern.text_ += segment;
    if (kind != SegmentKind::literal) pattern.literal_ = false;
  }
  if (pattern.segments_.empty()) {
    return fail(ErrorKind::config,
                fmt::format("path '{}' names the repository root; use \"**\" for the whole repository", text));
  }
  // The root: the leading literal segments (a literal pattern's is all of it).
  for (const Segment& segment : pattern.segments_) {
    if (segment.kind != SegmentKind::literal) break;
    pattern.root_size_ = segment.begin + segment.size;
  }
  if (pattern.literal_) {
    pattern.segments_.clear();
  } else {
    pattern.globs_ = pattern.text_;
    std::replace(pattern.globs_.begin(), pattern.globs_.end(), '/', '\0');
  }
  return pattern;
}

// One path part against one pattern segment. fnmatch does the `*`/`?`/`[...]`
// work; neither holds a '/', so FNM_PATHNAME is not needed. Leading dots are
// matched by `*` as in .gitignore (no FNM_PERIOD).
bool PathPattern::segment_matches(const Segment& segment, std::string_view part) const {
  if (segment.kind == SegmentKind::literal) return std::string_view(text_).substr(segment.begin, segment.size) == part;
  const char* glob = globs_.c_str() + segment.begin;  // ends at the '\0' that replaced its '/'
  char buffer[256];
  if (part.size() < sizeof(buffer)) {
    part.copy(buffer, part.size());
    buffer[part.size()] = '\0';
    return fnmatch(glob, buffer, 0) == 0;
  }
  std::string copy(part);
  return fnmatch(glob, copy.c_str(), 0) == 0;
}

bool PathPattern::matches(std::string_view path) const {
  if (literal_) return is_at_or_below(path, text_);
  if (!is_at_or_below(path, root())) return false;

  // The path's parts, and the dynamic programme's two rows, on the stack for
  // paths of up to kParts parts: this runs for every changed path a service
  // with a glob exclude sees.
  constexpr std::size_t kParts = 64;
  const std::size_t n = static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')) + 1;
  std::string_view inline_parts[kParts];
  char inline_rows[2 * (kParts + 1)];
  std::vector<std::string_view> heap_parts;
  std::vector<char> heap_rows;
  std::string_view* parts = inline_parts;
  char* rows = inline_rows;
  if (n > kParts) {
    heap_parts.resize(n);
    heap_rows.resize(2 * (n + 1));
    parts = heap_parts.data();
    rows = heap_rows.data();
  }
  std::size_t count = 0;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts[count++] = path.substr(start, end - start);
    start = end + 1;
  }

  // reach[j]: pattern segments [0, i) can match path parts [0, j). Dynamic
  // programming keeps several `**` linear instead of exponential.
  char* reach = rows;
  char* next = rows + count + 1;
  std::fill(reach, reach + count + 1, 0);
  reach[0] = 1;
  for (const Segment& segment : segments_) {
    std::fill(next, next + count + 1, 0);
    if (segment.kind == SegmentKind::any_dirs) {
      char any = 0;
      for (std::size_t j = 0; j <= count; ++j) {
        any |= reach[j];
        next[j] = any;
      }
    } else {
      for (std::size_t j = 0; j < count; ++j) {
        if (reach[j] && segment_matches(segment, parts[j])) next[j + 1] = 1;
      }
    }
    std::swap(reach, next);
  }
  // The whole pattern matched some prefix of the path: that prefix is the
  // path itself or an ancestor directory, which covers the path.
  return std::any_of(reach, reach + count + 1, [](char r) { return r != 0; });
}

}  // namespace wharf::graph
