// package-lock.json / npm-shrinkwrap.json, lockfileVersion 2 and 3: the
// `packages` map keyed by install path. A dependency of the package at path P
// is found the way Node finds it: P/node_modules/D, then the node_modules of
// each directory above P (skipping node_modules folders themselves).
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "lockfile/builder.h"
#include "lockfile/json_fields.h"
#include "lockfile/readers.h"

namespace wharf::lockfile::detail {

namespace {

using nlohmann::json;

bool under_node_modules(std::string_view path) {
  return path.starts_with("node_modules/") || path.find("/node_modules/") != std::string_view::npos;
}

std::string_view parent_dir(std::string_view dir) {
  std::size_t slash = dir.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : dir.substr(0, slash);
}

std::string_view last_segment(std::string_view dir) {
  std::size_t slash = dir.rfind('/');
  return slash == std::string_view::npos ? dir : dir.substr(slash + 1);
}

const json* find_dep(const json& packages, std::string_view from, std::string_view name, std::string& found) {
  std::string_view dir = from;
  for (;;) {
    if (last_segment(dir) != "node_modules") {
      found = dir.empty() ? fmt::format("node_modules/{}", name) : fmt::format("{}/node_modules/{}", dir, name);
      auto it = packages.find(found);
      if (it != packages.end()) return &*it;
    }
    if (dir.empty()) return nullptr;
    dir = parent_dir(dir);
  }
}

int line_of_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

Result<Lockfile> parse_npm(std::string_view file, std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return parse_error(file, line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0), "not valid JSON");
  } catch (const json::exception& e) {
    return parse_error(file, 0, fmt::format("not valid JSON ({})", e.what()));
  }
  if (!doc.is_object()) return parse_error(file, 1, "expected a JSON object");
  auto version_it = doc.find("lockfileVersion");
  int version = version_it != doc.end() && version_it->is_number_integer() ? version_it->get<int>() : -1;
  if (version != 2 && version != 3) {
    return parse_error(file, 0,
                       fmt::format("lockfileVersion {} is not supported (2 or 3 are); run `npm install` with npm 7 "
                                   "or later to update the lockfile",
                                   version));
  }
  auto packages_it = doc.find("packages");
  if (packages_it == doc.end() || !packages_it->is_object()) return parse_error(file, 0, "no `packages` object");
  const json& packages = *packages_it;

  std::vector<std::pair<std::string, std::string>> settings{{"lockfileVersion", std::to_string(version)}};
  if (auto root = packages.find(""); root != packages.end() && root->is_object()) {
    if (auto overrides = root->find("overrides"); overrides != root->end()) {
      settings.emplace_back("overrides", overrides->dump());
    }
  }
  LockfileBuilder builder(Format::npm, file);
  builder.set_settings(settings_text(std::move(settings)));

  // Each dependency of the package at `path`: an install path, or a link to
  // an importer. Missing optional and peer dependencies are fine (another
  // platform, or not wanted); a missing plain dependency is damage.
  auto walk = [&](const std::string& path, const json& entry, bool importer, std::vector<std::string>& deps,
                  std::vector<std::string>* links) -> Result<void> {
    static constexpr std::pair<const char*, bool> kFields[] = {
        {"dependencies", true}, {"devDependencies", true}, {"optionalDependencies", false}, {"peerDependencies", false}};
    for (const auto& [field, required] : kFields) {
      if (!importer && std::string_view(field) == "devDependencies") continue;  // not installed for packages
      auto it = entry.find(field);
      if (it == entry.end() || !it->is_object()) continue;
      for (const auto& [name, range] : it->items()) {
        std::string found;
        const json* target = find_dep(packages, path, name, found);
        if (!target) {
          if (!required) continue;
          return parse_error(file, 0,
                             fmt::format("`{}` depends on `{}`, which the lockfile does not install; run `npm install`",
                                         path.empty() ? "the root package" : path, name));
        }
        if (target->is_object() && bool_field(*target, "link")) {
          std::string resolved = string_field(*target, "resolved");
          if (links) {
            if (auto dir = join_dir(".", resolved)) links->push_back(*dir);
          }
          continue;
        }
        deps.push_back(std::move(found));
      }
    }
    return ok();
  };

  for (const auto& [path, entry] : packages.items()) {
    if (!entry.is_object()) return parse_error(file, 0, fmt::format("packages[\"{}\"] is not an object", path));
    if (bool_field(entry, "link")) continue;  // the importer it points at is listed under its own path
    if (!under_node_modules(path)) {
      auto dir = join_dir(".", path);
      if (!dir) return parse_error(file, 0, fmt::format("packages[\"{}\"] is outside the lockfile's directory", path));
      RawImporter importer;
      importer.dir = *dir;
      if (auto walked = walk(path, entry, true, importer.deps, &importer.links); !walked) {
        return std::unexpected(walked.error());
      }
      builder.add_importer(std::move(importer));
      continue;
    }
    std::string name = string_field(entry, "name");
    if (name.empty()) {
      std::size_t at = path.rfind("node_modules/");
      name = path.substr(at + std::string_view("node_modules/").size());
    }
    std::string integrity = string_field(entry, "integrity");
    if (integrity.empty()) integrity = string_field(entry, "resolved");
    RawInstance instance;
    instance.key = path;
    instance.package = Package{std::move(name), string_field(entry, "version"), std::move(integrity)};
    if (auto walked = walk(path, entry, false, instance.deps, nullptr); !walked) return std::unexpected(walked.error());
    builder.add_instance(std::move(instance));
  }
  return builder.finish();
}

}  // namespace wharf::lockfile::detail
