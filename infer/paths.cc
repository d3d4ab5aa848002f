#include "infer/paths.h"

#include <algorithm>
#include <vector>

namespace wharf::infer {

std::optional<std::string> join_relative(std::string_view dir, std::string_view relative) {
  std::vector<std::string_view> parts;
  auto push_all = [&parts](std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t slash = text.find('/', start);
      if (slash == std::string_view::npos) slash = text.size();
      std::string_view part = text.substr(start, slash - start);
      if (part == "..") {
        if (parts.empty()) return false;
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = slash + 1;
    }
    return true;
  };
  if (!push_all(dir) || !push_all(relative)) return std::nullopt;
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::string_view parent_dir(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string child_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  out += '/';
  out += name;
  return out;
}

std::string display_dir(std::string_view dir) { return dir.empty() ? std::string(".") : std::string(dir); }

int line_of_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace wharf::infer
