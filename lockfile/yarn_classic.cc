// yarn.lock v1 ("classic"): yarn's own text format, not YAML. Entries start
// at column 0 with the descriptors they resolve (`"a@^1", a@^1.1:`), fields
// at two spaces (`version "1.2.0"`, `integrity sha512-...`,
// `dependencies:`), dependency lines at four. Workspace packages are not in
// it: importers come from the root package.json's `workspaces`.
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lockfile/builder.h"
#include "lockfile/readers.h"
#include "lockfile/workspaces.h"

namespace wharf::lockfile::detail {

namespace {

struct Token {
  enum Kind { string, colon, comma } kind;
  std::string text;
};

// The tokens of one line (after its indentation): quoted strings with JSON
// escapes, bare words, ':' and ','. nullopt when a quote is not closed.
std::optional<std::vector<Token>> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ') {
      ++i;
    } else if (c == ':') {
      tokens.push_back({Token::colon, {}});
      ++i;
    } else if (c == ',') {
      tokens.push_back({Token::comma, {}});
      ++i;
    } else if (c == '"') {
      std::string text;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char d = line[i++];
        if (d == '"') {
          closed = true;
          break;
        }
        if (d == '\\' && i < line.size()) {
          char e = line[i++];
          text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          continue;
        }
        text += d;
      }
      if (!closed) return std::nullopt;
      tokens.push_back({Token::string, std::move(text)});
    } else {
      std::size_t end = line.find_first_of(" :,\"", i);
      if (end == std::string_view::npos) end = line.size();
      tokens.push_back({Token::string, std::string(line.substr(i, end - i))});
      i = end;
    }
  }
  return tokens;
}

struct Entry {
  std::vector<std::string> descriptors;
  std::string version, resolved, integrity;
  struct Dep {
    std::string descriptor;
    bool optional;
    int line;
  };
  std::vector<Dep> deps;
  int line = 0;
};

}  // namespace

Result<Lockfile> parse_yarn_classic(std::string_view file, std::string_view text, std::string_view dir,
                                    const fs::SourceTree& tree) {
  std::vector<Entry> entries;
  std::string block;  // the open `dependencies:`-like block
  int line_no = 0;
  auto bad = [&](std::string_view what) {
    return parse_error(file, line_no, fmt::format("{}; run `yarn install` to regenerate yarn.lock", what));
  };
  for (std::size_t p = 0; p < text.size();) {
    std::size_t nl = text.find('\n', p);
    std::string_view line = text.substr(p, nl == std::string_view::npos ? std::string_view::npos : nl - p);
    p = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') continue;
    auto tokens = tokenize(line.substr(indent));
    if (!tokens) return bad("a quote is not closed");
    if (indent == 0) {
      Entry entry;
      entry.line = line_no;
      std::size_t i = 0;
      for (; i < tokens->size(); ++i) {
        const Token& t = (*tokens)[i];
        if (t.kind == Token::string && (i % 2 == 0)) {
          entry.descriptors.push_back(t.text);
        } else if (t.kind == Token::comma && (i % 2 == 1)) {
          continue;
        } else {
          break;
        }
      }
      if (entry.descriptors.empty() || i + 1 != tokens->size() || (*tokens)[i].kind != Token::colon) {
        return bad("expected `descriptor, descriptor:` at the start of an entry");
      }
      entries.push_back(std::move(entry));
      block.clear();
      continue;
    }
    if (entries.empty()) return bad("an indented line before the first entry");
    Entry& entry = entries.back();
    const auto& t = *tokens;
    if (indent == 2) {
      block.clear();
      if (t.size() == 2 && t[0].kind == Token::string && t[1].kind == Token::colon) {
        block = t[0].text;
      } else if (t.size() == 2 && t[0].kind == Token::string && t[1].kind == Token::string) {
        if (t[0].text == "version") entry.version = t[1].text;
        if (t[0].text == "resolved") entry.resolved = t[1].text;
        if (t[0].text == "integrity") entry.integrity = t[1].text;
      } else {
        return bad("expected `field value` or `field:`");
      }
      continue;
    }
    if (indent == 4 && !block.empty()) {
      if (t.size() != 2 || t[0].kind != Token::string || t[1].kind != Token::string) {
        return bad("expected `name range`");
      }
      if (block == "dependencies" || block == "optionalDependencies") {
        entry.deps.push_back({t[0].text + "@" + t[1].text, block == "optionalDependencies", line_no});
      }
      continue;
    }
    return bad("unexpected indentation");
  }

  LockfileBuilder builder(Format::yarn_classic, file);
  std::unordered_map<std::string_view, std::string> key_of;  // descriptor -> instance key
  for (Entry& entry : entries) {
    std::sort(entry.descriptors.begin(), entry.descriptors.end());
    std::string key;
    for (const std::string& d : entry.descriptors) key += (key.empty() ? "" : ", ") + d;
    for (const std::string& d : entry.descriptors) key_of[d] = key;
  }
  for (const Entry& entry : entries) {
    auto split = split_at_version(entry.descriptors.front());
    std::string name(split ? split->first : std::string_view(entry.descriptors.front()));
    RawInstance instance;
    instance.key = key_of[entry.descriptors.front()];
    instance.package = Package{std::move(name), entry.version, entry.integrity.empty() ? entry.resolved : entry.integrity};
    instance.line = entry.line;
    for (const Entry::Dep& dep : entry.deps) {
      auto it = key_of.find(dep.descriptor);
      if (it != key_of.end()) {
        instance.deps.push_back(it->second);
      } else if (!dep.optional) {
        line_no = dep.line;
        return bad(fmt::format("`{}` is not in yarn.lock", dep.descriptor));
      }
    }
    builder.add_instance(std::move(instance));
  }

  auto workspaces = read_workspaces(dir, tree);
  if (!workspaces) return std::unexpected(workspaces.error());
  std::unordered_map<std::string_view, std::string_view> workspace_dir;  // package name -> dir
  for (const WorkspacePackage& w : *workspaces) {
    if (!w.name.empty()) workspace_dir.emplace(w.name, w.dir);
  }
  for (const WorkspacePackage& w : *workspaces) {
    RawImporter importer;
    importer.dir = w.dir;
    for (const auto& [name, range] : w.deps) {
      // yarn classic links a workspace package whatever the range says
      // (it warns when the version does not satisfy it).
      if (auto linked = workspace_dir.find(name); linked != workspace_dir.end()) {
        importer.links.emplace_back(linked->second);
        continue;
      }
      auto it = key_of.find(name + "@" + range);
      if (it == key_of.end()) {
        return parse_error(file, 0,
                           fmt::format("{}/package.json depends on `{}@{}`, which yarn.lock does not list; run `yarn "
                                       "install`",
                                       w.dir, name, range));
      }
      importer.deps.push_back(it->second);
    }
    builder.add_importer(std::move(importer));
  }

  // Global: the lockfile's format line and the root's `resolutions`.
  std::vector<std::pair<std::string, std::string>> settings{{"format", "yarn lockfile v1"}};
  std::string root_json = dir.empty() ? "package.json" : fmt::format("{}/package.json", dir);
  if (auto text_json = tree.read(root_json); text_json && *text_json) {
    auto doc = nlohmann::json::parse(**text_json, nullptr, false);
    if (doc.is_object()) {
      if (auto it = doc.find("resolutions"); it != doc.end()) settings.emplace_back("resolutions", it->dump());
    }
  }
  builder.set_settings(settings_text(std::move(settings)));
  return builder.finish();
}

}  // namespace wharf::lockfile::detail
