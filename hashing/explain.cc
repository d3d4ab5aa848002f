#include "hashing/explain.h"

#include <map>

#include <fmt/format.h>

#include "hashing/hasher.h"

namespace wharf::hashing {
namespace {

struct FileFacts {
  std::string mode;
  std::string digest;
};

struct Parsed {
  std::map<std::string, FileFacts> files;
  std::map<std::string, std::string> packages;  // name -> key
  std::map<std::string, std::string> env;       // name -> "unset" or the shown value
  std::map<std::string, std::vector<std::string>> fields;
};

Parsed parse(std::string_view text) {
  Parsed out;
  std::string file;     // the file.path being read
  std::string package;  // the package.name being read
  std::string env;      // the env.name being read
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    std::size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string tag(line.substr(0, colon));
    std::string value = unescape_transcript_value(line.substr(colon + 2));
    if (tag == "file.path") {
      file = value;
      out.files[file];
    } else if (tag == "file.mode") {
      out.files[file].mode = value;
    } else if (tag == "file.digest") {
      out.files[file].digest = value;
    } else if (tag == "package.name") {
      package = value;
    } else if (tag == "package.key") {
      out.packages[package] = value;
    } else if (tag == "env.name") {
      env = value;
    } else if (tag == "env.value") {
      // Values are recorded only as their digest ("(hidden) xxh3:...").
      std::string_view shown = value;
      if (shown.starts_with("(hidden) ")) shown.remove_prefix(9);
      out.env[env] = "set, " + std::string(shown);
    } else if (tag == "env.unset") {
      out.env[env] = "unset";
    } else {
      out.fields[tag].push_back(value);
    }
  }
  return out;
}

std::string join_values(const std::vector<std::string>& values) {
  if (values.empty()) return "(none)";
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += "\"" + v + "\"";
  }
  return out;
}

// Calls fn(name, before*, after*) for each name in either map, in order.
template <class V, class Fn>
void merge_maps(const std::map<std::string, V>& a, const std::map<std::string, V>& b, Fn&& fn) {
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      fn(ia->first, &ia->second, nullptr);
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      fn(ib->first, nullptr, &ib->second);
      ++ib;
    } else {
      fn(ia->first, &ia->second, &ib->second);
      ++ia;
      ++ib;
    }
  }
}

const char* describe_kind(KeyChange::Kind kind) {
  switch (kind) {
    case KeyChange::Kind::file_added:
      return "file added";
    case KeyChange::Kind::file_removed:
      return "file removed";
    case KeyChange::Kind::file_changed:
      return "file changed";
    case KeyChange::Kind::file_mode_changed:
      return "file mode changed";
    case KeyChange::Kind::package_added:
      return "package added";
    case KeyChange::Kind::package_removed:
      return "package removed";
    case KeyChange::Kind::package_changed:
      return "package changed";
    case KeyChange::Kind::env_changed:
      return "environment variable changed";
    case KeyChange::Kind::config_changed:
      return "config changed";
  }
  return "changed";
}

void format_level(const std::vector<KeyChange>& changes, std::size_t limit, int depth, std::string& out) {
  std::map<KeyChange::Kind, std::size_t> shown;
  std::map<KeyChange::Kind, std::size_t> hidden;
  std::string indent(static_cast<std::size_t>(2 * depth), ' ');
  for (const KeyChange& change : changes) {
    if (shown[change.kind]++ >= limit) {
      hidden[change.kind]++;
      continue;
    }
    out += indent + describe_kind(change.kind) + ": " + change.subject;
    if (!change.before.empty() || !change.after.empty()) {
      out += fmt::format(" ({} -> {})", change.before, change.after);
    }
    out += "\n";
    format_level(change.nested, limit, depth + 1, out);
  }
  for (const auto& [kind, count] : hidden) {
    out += fmt::format("{}... and {} more ({})\n", indent, count, describe_kind(kind));
  }
}

}  // namespace

std::vector<KeyChange> diff_transcripts(std::string_view before, std::string_view after, const TranscriptLoader& load) {
  Parsed a = parse(before);
  Parsed b = parse(after);
  std::vector<KeyChange> changes;
  merge_maps(a.files, b.files, [&](const std::string& path, const FileFacts* x, const FileFacts* y) {
    if (!x) {
      changes.push_back({KeyChange::Kind::file_added, path, "", "", {}});
    } else if (!y) {
      changes.push_back({KeyChange::Kind::file_removed, path, "", "", {}});
    } else {
      if (x->digest != y->digest) changes.push_back({KeyChange::Kind::file_changed, path, "", "", {}});
      if (x->mode != y->mode) changes.push_back({KeyChange::Kind::file_mode_changed, path, x->mode, y->mode, {}});
    }
  });
  merge_maps(a.packages, b.packages, [&](const std::string& name, const std::string* x, const std::string* y) {
    if (!x) {
      changes.push_back({KeyChange::Kind::package_added, name, "", "", {}});
    } else if (!y) {
      changes.push_back({KeyChange::Kind::package_removed, name, "", "", {}});
    } else if (*x != *y) {
      KeyChange change{KeyChange::Kind::package_changed, name, "", "", {}};
      std::optional<std::string> old_text = load ? load(*x) : std::nullopt;
      std::optional<std::string> new_text = load ? load(*y) : std::nullopt;
      if (old_text && new_text) change.nested = diff_transcripts(*old_text, *new_text, load);
      changes.push_back(std::move(change));
    }
  });
  merge_maps(a.env, b.env, [&](const std::string& name, const std::string* x, const std::string* y) {
    std::string old_value = x ? *x : "not declared";
    std::string new_value = y ? *y : "not declared";
    if (old_value != new_value) {
      changes.push_back({KeyChange::Kind::env_changed, name, old_value, new_value, {}});
    }
  });
  merge_maps(a.fields, b.fields,
             [&](const std::string& tag, const std::vector<std::string>* x, const std::vector<std::string>* y) {
               std::vector<std::string> none;
               const auto& xs = x ? *x : none;
               const auto& ys = y ? *y : none;
               if (xs != ys) {
                 changes.push_back({KeyChange::Kind::config_changed, tag, join_values(xs), join_values(ys), {}});
               }
             });
  return changes;
}

std::string format_changes(const std::vector<KeyChange>& changes, std::size_t limit) {
  std::string out;
  format_level(changes, limit, 0, out);
  return out;
}

}  // namespace wharf::hashing
