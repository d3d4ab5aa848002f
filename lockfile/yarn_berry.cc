// yarn.lock of yarn 2+ ("berry"): YAML with `__metadata`, entries keyed by
// the descriptors they resolve (`"a@npm:^1.0.0, a@npm:^1.1.0"`), each with a
// `resolution` (its instance key), `checksum` and `dependencies`; workspaces
// are entries whose resolution is `name@workspace:dir`.
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "lockfile/builder.h"
#include "lockfile/readers.h"
#include "yaml/node.h"

namespace wharf::lockfile::detail {

namespace {

std::string canonical(const yaml::Node& node) {
  switch (node.kind()) {
    case yaml::Node::Kind::null:
      return "null";
    case yaml::Node::Kind::scalar:
      return fmt::format("\"{}\"", node.text());
    case yaml::Node::Kind::sequence: {
      std::string out = "[";
      for (const auto& item : node.items()) out += (out.size() > 1 ? "," : "") + canonical(item);
      return out + "]";
    }
    case yaml::Node::Kind::mapping: {
      std::vector<std::string> parts;
      for (const auto& e : node.entries()) parts.push_back(fmt::format("\"{}\":{}", e.key, canonical(e.value)));
      std::sort(parts.begin(), parts.end());
      std::string out = "{";
      for (const auto& part : parts) out += (out.size() > 1 ? "," : "") + part;
      return out + "}";
    }
  }
  return {};
}

std::vector<std::string> split_descriptors(std::string_view key) {
  std::vector<std::string> out;
  while (!key.empty()) {
    std::size_t comma = key.find(',');
    std::string_view part = key.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    key.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

bool is_yarn_berry(std::string_view text) {
  // berry writes `__metadata:` at column 0 near the top; classic never has it.
  std::size_t at = text.find("\n__metadata:");
  return text.starts_with("__metadata:") || at != std::string_view::npos;
}

Result<Lockfile> parse_yarn_berry(std::string_view file, std::string_view text) {
  auto doc = yaml::parse(text, file);
  if (!doc) return std::unexpected(doc.error());
  if (!doc->is_mapping()) return parse_error(file, doc->mark().line, "expected a mapping of entries");
  LockfileBuilder builder(Format::yarn_berry, file);

  struct Entry {
    const yaml::Node::Entry* node;
    std::string resolution;
    std::string workspace_dir;  // for a workspace
  };
  std::vector<Entry> entries;
  std::unordered_map<std::string, std::size_t> by_descriptor;
  std::unordered_map<std::string, std::size_t> workspace_by_name;
  for (const auto& e : doc->entries()) {
    if (e.key == "__metadata") {
      builder.set_settings(settings_text({{"__metadata", canonical(e.value)}}));
      continue;
    }
    if (!e.value.is_mapping()) return parse_error(file, e.key_mark.line, fmt::format("`{}` is not a mapping", e.key));
    const yaml::Node& resolution = e.value["resolution"];
    if (!resolution.is_scalar()) return parse_error(file, e.key_mark.line, fmt::format("`{}` has no resolution", e.key));
    Entry entry{&e, resolution.text(), {}};
    auto split = split_at_version(entry.resolution);
    if (split && split->second.starts_with("workspace:")) {
      auto dir = join_dir(".", split->second.substr(std::string_view("workspace:").size()));
      if (!dir) return parse_error(file, e.key_mark.line, fmt::format("workspace `{}` is outside the lockfile's directory", entry.resolution));
      entry.workspace_dir = *dir;
      workspace_by_name.emplace(split->first, entries.size());
    }
    for (std::string& d : split_descriptors(e.key)) by_descriptor.emplace(std::move(d), entries.size());
    entries.push_back(std::move(entry));
  }
  if (!doc->find("__metadata")) return parse_error(file, 1, "no __metadata: not a yarn berry lockfile");

  // The entry a dependency `name: range` resolves to: the descriptor as
  // written, else with yarn's default `npm:` protocol, else (for
  // `workspace:` ranges) the workspace of that name.
  auto lookup = [&](const std::string& name, const std::string& range) -> const Entry* {
    auto it = by_descriptor.find(name + "@" + range);
    if (it == by_descriptor.end()) it = by_descriptor.find(name + "@npm:" + range);
    if (it != by_descriptor.end()) return &entries[it->second];
    if (range.starts_with("workspace:")) {
      auto w = workspace_by_name.find(name);
      if (w != workspace_by_name.end()) return &entries[w->second];
    }
    return nullptr;
  };

  for (const Entry& entry : entries) {
    const yaml::Node& value = entry.node->value;
    std::vector<std::string> deps, links;
    for (const char* field : {"dependencies", "optionalDependencies"}) {
      for (const auto& dep : value[field].entries()) {
        const Entry* target = lookup(dep.key, dep.value.text());
        if (!target) {
          if (value["dependenciesMeta"][dep.key]["optional"].text() == "true") continue;
          return parse_error(file, dep.key_mark.line,
                             fmt::format("`{}` depends on `{}@{}`, which yarn.lock does not list; run `yarn install`",
                                         entry.resolution, dep.key, dep.value.text()));
        }
        if (!target->workspace_dir.empty()) {
          links.push_back(target->workspace_dir);
        } else {
          deps.push_back(target->resolution);
        }
      }
    }
    int line = entry.node->key_mark.line;
    if (!entry.workspace_dir.empty()) {
      RawImporter importer;
      importer.dir = entry.workspace_dir;
      importer.deps = std::move(deps);
      importer.links = std::move(links);
      importer.line = line;
      builder.add_importer(std::move(importer));
      continue;
    }
    auto split = split_at_version(entry.resolution);
    std::string checksum = value["checksum"].text();
    RawInstance instance;
    instance.key = entry.resolution;
    instance.package = Package{std::string(split ? split->first : std::string_view(entry.resolution)),
                               value["version"].text(), checksum.empty() ? entry.resolution : checksum};
    instance.deps = std::move(deps);
    instance.line = line;
    builder.add_instance(std::move(instance));
  }
  return builder.finish();
}

}  // namespace wharf::lockfile::detail
