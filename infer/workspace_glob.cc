#include "infer/workspace_glob.h"

#include <fnmatch.h>

#include "infer/paths.h"

namespace wharf::infer {
namespace {

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool match_from(const std::vector<std::string>& pattern, std::size_t p, const std::vector<std::string>& path,
                std::size_t s) {
  if (p == pattern.size()) return s == path.size();
  if (pattern[p] == "**") {
    for (std::size_t skip = s; skip <= path.size(); ++skip) {
      if (match_from(pattern, p + 1, path, skip)) return true;
    }
    return false;
  }
  if (s == path.size()) return false;
  if (fnmatch(pattern[p].c_str(), path[s].c_str(), FNM_PERIOD) != 0) return false;
  return match_from(pattern, p + 1, path, s + 1);
}

}  // namespace

bool workspace_glob_matches(std::string_view pattern, std::string_view dir) {
  auto normalized = join_relative("", pattern);
  if (!normalized) return false;
  return match_from(segments(*normalized), 0, segments(dir), 0);
}

}  // namespace wharf::infer
