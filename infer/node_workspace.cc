#include "infer/node_workspace.h"

#include <algorithm>
#include <cctype>

#include "infer/json_file.h"
#include "infer/paths.h"
#include "infer/read_file.h"
#include "infer/workspace_glob.h"
#include "yaml/node.h"

namespace wharf::infer {
namespace {

struct MemberGlob {
  std::string pattern;  // without a leading '!'
  bool negated = false;
  std::string where;  // "pnpm-workspace.yaml:2"
};

bool has_segment(std::string_view path, std::string_view segment) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (path.substr(start, slash - start) == segment) return true;
    start = slash + 1;
  }
  return false;
}

void add_glob(std::vector<MemberGlob>& globs, std::string text, std::string where) {
  MemberGlob glob;
  glob.negated = text.starts_with('!');
  glob.pattern = glob.negated ? text.substr(1) : std::move(text);
  glob.where = std::move(where);
  globs.push_back(std::move(glob));
}

std::string_view major_of(std::string_view version) {
  while (!version.empty() && (version.front() == 'v' || version.front() == '=' || version.front() == ' ')) {
    version.remove_prefix(1);
  }
  std::size_t end = 0;
  while (end < version.size() && std::isdigit(static_cast<unsigned char>(version[end]))) ++end;
  return version.substr(0, end);
}

}  // namespace

bool spec_resolves_locally(std::string_view spec, std::string_view local_version) {
  if (spec.starts_with("workspace:") || spec.starts_with("link:") || spec.starts_with("file:")) return true;
  if (spec == "*" || spec.empty()) return true;
  if (local_version.empty()) return false;
  std::string_view bare = spec;
  while (!bare.empty() && (bare.front() == '=' || bare.front() == 'v')) bare.remove_prefix(1);
  if (bare == local_version) return true;
  if (spec.starts_with('^') || spec.starts_with('~')) {
    std::string_view major = major_of(spec.substr(1));
    return !major.empty() && major == major_of(local_version);
  }
  return false;
}

NodeWorkspace read_node_workspace(const fs::SourceTree& tree, const std::vector<std::string>& files,
                                  Warnings& warnings) {
  NodeWorkspace workspace;
  std::vector<MemberGlob> globs;
  if (std::binary_search(files.begin(), files.end(), "pnpm-workspace.yaml")) {
    if (auto text = read_file(tree, "pnpm-workspace.yaml", warnings)) {
      workspace.files.push_back("pnpm-workspace.yaml");
      auto doc = yaml::parse(*text, "pnpm-workspace.yaml");
      if (!doc) {
        warnings.add_located(doc.error().message + "; its packages are not read");
      } else {
        for (const yaml::Node& item : (*doc)["packages"].items()) {
          if (item.is_scalar()) add_glob(globs, item.text(), fmt::format("pnpm-workspace.yaml:{}", item.mark().line));
        }
      }
    }
  }
  if (std::binary_search(files.begin(), files.end(), "package.json")) {
    if (auto text = read_file(tree, "package.json", warnings)) {
      if (auto doc = read_json(*text, "package.json", warnings); doc && doc->is_object()) {
        const nlohmann::json* list = nullptr;
        if (auto it = doc->find("workspaces"); it != doc->end()) {
          list = &*it;
          if (it->is_object()) {
            auto packages = it->find("packages");
            list = packages != it->end() ? &*packages : nullptr;
          }
        }
        if (list && list->is_array()) {
          workspace.files.push_back("package.json");
          for (const auto& item : *list) {
            if (item.is_string()) add_glob(globs, item.get<std::string>(), "package.json (workspaces)");
          }
        }
      }
    }
  }
  if (globs.empty()) return workspace;
  for (const std::string& file : files) {
    if (base_name(file) != "package.json") continue;
    std::string_view dir = parent_dir(file);
    if (dir.empty() || has_segment(dir, "node_modules")) continue;
    const MemberGlob* matched = nullptr;
    for (const MemberGlob& glob : globs) {
      if (workspace_glob_matches(glob.pattern, dir)) matched = glob.negated ? nullptr : &glob;
    }
    if (!matched) continue;
    auto text = read_file(tree, file, warnings);
    if (!text) continue;
    auto doc = read_json(*text, file, warnings);
    if (!doc) continue;
    if (!doc->is_object()) {
      warnings.add(file, 1, "is not a JSON object; skipped");
      continue;
    }
    NodePackage package;
    package.dir = std::string(dir);
    package.matched_by = fmt::format("{} ({})", matched->where, matched->pattern);
    if (auto name = doc->find("name"); name != doc->end() && name->is_string()) {
      package.name = name->get<std::string>();
    } else {
      package.name = std::string(base_name(dir));
    }
    if (auto version = doc->find("version"); version != doc->end() && version->is_string()) {
      package.version = version->get<std::string>();
    }
    if (auto scripts = doc->find("scripts"); scripts != doc->end() && scripts->is_object()) {
      package.runnable = scripts->contains("start") || scripts->contains("build");
    }
    for (const char* field : {"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"}) {
      auto deps = doc->find(field);
      if (deps == doc->end() || !deps->is_object()) continue;
      for (const auto& [name, spec] : deps->items()) {
        package.deps.emplace_back(name, spec.is_string() ? spec.get<std::string>() : std::string());
      }
    }
    workspace.packages.push_back(std::move(package));
  }
  std::sort(workspace.packages.begin(), workspace.packages.end(),
            [](const NodePackage& a, const NodePackage& b) { return a.dir < b.dir; });
  return workspace;
}

}  // namespace wharf::infer
