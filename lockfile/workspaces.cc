#include "lockfile/workspaces.h"

#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lockfile/builder.h"
#include "lockfile/json_fields.h"

namespace wharf::lockfile::detail {

namespace {

using nlohmann::json;

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") out.push_back(part);
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  return out;
}

bool match_segments(std::span<const std::string_view> pattern, std::span<const std::string_view> path) {
  if (pattern.empty()) return path.empty();
  if (pattern.front() == "**") {
    for (std::size_t skip = 0; skip <= path.size(); ++skip) {
      if (match_segments(pattern.subspan(1), path.subspan(skip))) return true;
    }
    return false;
  }
  if (path.empty()) return false;
  std::string p(pattern.front()), s(path.front());
  return fnmatch(p.c_str(), s.c_str(), FNM_PERIOD) == 0 && match_segments(pattern.subspan(1), path.subspan(1));
}

Result<json> read_package_json(const fs::SourceTree& tree, const std::string& path) {
  auto text = tree.read(path);
  if (!text) return std::unexpected(text.error());
  if (!*text) return fail(ErrorKind::not_found, fmt::format("{}: no such file", path));
  json doc = json::parse(**text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return parse_error(path, 0, "not a valid package.json (JSON object)");
  return doc;
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view dir) {
  auto p = segments(pattern);
  auto d = segments(dir);
  return match_segments(p, d);
}

Result<std::vector<WorkspacePackage>> read_workspaces(std::string_view root, const fs::SourceTree& tree) {
  std::string prefix = root.empty() ? std::string() : std::string(root) + "/";
  auto root_json = read_package_json(tree, prefix + "package.json");
  if (!root_json) return std::unexpected(root_json.error());
  std::vector<std::string> include, exclude;
  const json* globs = nullptr;
  if (auto it = root_json->find("workspaces"); it != root_json->end()) {
    globs = &*it;
    if (it->is_object()) {
      auto packages = it->find("packages");
      globs = packages != it->end() ? &*packages : nullptr;
    }
  }
  if (globs && globs->is_array()) {
    for (const json& glob : *globs) {
      if (!glob.is_string()) continue;
      std::string g = glob.get<std::string>();
      if (g.starts_with('!')) {
        exclude.push_back(g.substr(1));
      } else {
        include.push_back(std::move(g));
      }
    }
  }
  std::vector<std::string> dirs{"."};
  if (!include.empty()) {
    auto files = tree.files();
    if (!files) return std::unexpected(files.error());
    for (const std::string& path : *files) {
      if (!path.starts_with(prefix) || !path.ends_with("/package.json")) continue;
      std::string_view dir = std::string_view(path).substr(prefix.size());
      dir = dir.substr(0, dir.size() - std::string_view("/package.json").size());
      if (dir.empty() || dir.find("node_modules") != std::string_view::npos) continue;
      auto matches = [&](const std::vector<std::string>& patterns) {
        return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& g) { return glob_matches(g, dir); });
      };
      if (matches(include) && !matches(exclude)) dirs.emplace_back(dir);
    }
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<WorkspacePackage> out;
  for (const std::string& dir : dirs) {
    Result<json> doc = dir == "." ? std::move(*root_json) : read_package_json(tree, prefix + dir + "/package.json");
    if (!doc) return std::unexpected(doc.error());
    WorkspacePackage package{dir, string_field(*doc, "name"), {}};
    for (const char* field : {"dependencies", "devDependencies", "optionalDependencies"}) {
      auto it = doc->find(field);
      if (it == doc->end() || !it->is_object()) continue;
      for (const auto& [name, range] : it->items()) {
        if (range.is_string()) package.deps.emplace_back(name, range.get<std::string>());
      }
    }
    out.push_back(std::move(package));
  }
  return out;
}

}  // namespace wharf::lockfile::detail
