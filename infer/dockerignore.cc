#include "infer/dockerignore.h"

#include "graph/path_pattern.h"
#include "infer/paths.h"
#include "infer/text.h"

namespace wharf::infer {

std::string literal_root(std::string_view pattern) {
  std::string root;
  std::size_t start = 0;
  while (start < pattern.size()) {
    std::size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) {
      // The last segment is a directory only when the whole pattern is literal.
      if (pattern.substr(start).find_first_of("*?[") == std::string_view::npos) return std::string(pattern);
      break;
    }
    std::string_view part = pattern.substr(start, slash - start);
    if (part.find_first_of("*?[") != std::string_view::npos) break;
    root = std::string(pattern.substr(0, slash));
    start = slash + 1;
  }
  return root;
}

std::vector<std::string> dockerignore_excludes(std::string_view text, std::string_view file, std::string_view context,
                                               Warnings& warnings) {
  struct Kept {
    std::string pattern;
    int line;
  };
  std::vector<Kept> kept;
  int line_no = 0;
  for (std::string_view raw : split_lines(text)) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const bool negation = line.front() == '!';
    if (negation) line.remove_prefix(1);
    auto joined = join_relative(context, line);
    if (!joined || *joined == context || !graph::is_at_or_below(*joined, context)) {
      warnings.add(file, line_no, fmt::format("'{}' is the whole build context or outside it; ignored", line));
      continue;
    }
    if (!negation) {
      if (auto parsed = graph::PathPattern::parse(*joined); !parsed) {
        warnings.add(file, line_no, fmt::format("'{}' is not a pattern wharf can use: {}; ignored", line,
                                                parsed.error().message));
        continue;
      }
      kept.push_back(Kept{std::move(*joined), line_no});
      continue;
    }
    const std::string back = literal_root(*joined);
    std::vector<std::string> dropped;
    std::erase_if(kept, [&](const Kept& earlier) {
      const std::string root = literal_root(earlier.pattern);
      if (!graph::is_at_or_below(back, root) && !graph::is_at_or_below(root, back)) return false;
      dropped.push_back(fmt::format("'{}' (line {})", earlier.pattern, earlier.line));
      return true;
    });
    if (!dropped.empty()) {
      std::string list;
      for (const auto& one : dropped) list += (list.empty() ? "" : ", ") + one;
      warnings.add(file, line_no,
                   fmt::format("'!{}' brings back files wharf excludes cannot express; left out the excludes that "
                               "could cover them: {}",
                               line, list));
    }
  }
  std::vector<std::string> out;
  out.reserve(kept.size());
  for (auto& one : kept) out.push_back(std::move(one.pattern));
  return out;
}

}  // namespace wharf::infer
