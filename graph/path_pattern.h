// A `paths`, `inputs` or `exclude` entry of wharf.toml, compiled for matching
// repository-relative paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace wharf::graph {

// A file, a directory (covering everything below it) or a glob in the
// gitignore / bash-globstar dialect: `*`, `?` and `[...]` stay inside one path
// segment, `**` spans zero or more segments (`a/**/b` matches `a/b`), and a
// glob that matches a directory covers everything below it. `**` alone is the
// whole repository.
//
// Paths are repository-relative with '/' separators, no leading "./" and no
// trailing '/'. Immutable after parse(); safe to share between threads.
class PathPattern {
 public:
  // Normalizes `text` ("./a//b/" -> "a/b"). Fails (ErrorKind::config, message
  // without location) when the path is empty, absolute, contains ".." or a
  // control character.
  static Result<PathPattern> parse(std::string_view text);

  // The normalized text.
  const std::string& text() const { return text_; }

  // The leading literal directory segments: every path this pattern can match
  // lies at or below root() ("" when the pattern starts with a glob). Lets a
  // tree walk skip everything else. A prefix of text().
  std::string_view root() const { return std::string_view(text_).substr(0, root_size_); }

  // True when the pattern has no glob characters at all.
  bool is_literal() const { return literal_; }

  // True when `path` or one of its ancestor directories matches.
  bool matches(std::string_view path) const;

 private:
  enum class SegmentKind : std::uint8_t { literal, glob, any_dirs /* ** */ };
  // A segment of text_ (and of globs_): offsets, so that a pattern is three
  // allocations however many segments it has, and moves keep them valid.
  struct Segment {
    std::uint32_t begin = 0;
    std::uint32_t size = 0;
    SegmentKind kind = SegmentKind::literal;
  };
  bool segment_matches(const Segment& segment, std::string_view part) const;

  std::string text_;
  std::size_t root_size_ = 0;
  std::vector<Segment> segments_;  // globs only: a literal matches by prefix
  std::string globs_;              // globs only: text_ with each '/' a '\0', for fnmatch
  bool literal_ = true;
};

// True when `path` is `dir` or lies below it ("" is the repository root).
// Inline: called for every path a plan's walks look at.
inline bool is_at_or_below(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

}  // namespace wharf::graph
