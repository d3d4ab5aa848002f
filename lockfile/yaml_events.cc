#include "lockfile/yaml_events.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml.h>

namespace wharf::lockfile::detail {

namespace {

// A pull reader over libyaml's events: `event()` is the current one,
// `advance()` moves on. The first failure sticks (ok() turns false).
class Reader {
 public:
  Reader(std::string_view text, YamlFailure& failure) : failure_(failure) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    advance();
  }
  ~Reader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool ok() const { return ok_; }
  yaml_event_type_t type() const { return ok_ ? event_.type : YAML_NO_EVENT; }
  int line() const { return static_cast<int>(event_.start_mark.line) + 1; }
  std::string_view scalar() const {
    return {reinterpret_cast<const char*>(event_.data.scalar.value), event_.data.scalar.length};
  }
  bool plain_null() const {
    if (event_.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    std::string_view s = scalar();
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
  }

  bool advance() {
    if (!ok_) return false;
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    if (!has_event_) {
      std::string what = parser_.problem ? parser_.problem : "not valid YAML";
      if (parser_.context) what = fmt::format("{} {}", what, parser_.context);
      return fail(static_cast<int>(parser_.problem_mark.line) + 1, what);
    }
    if (event_.type == YAML_ALIAS_EVENT) return fail(line(), "an alias (*name), which lockfiles do not use");
    return true;
  }

  bool fail(int at, std::string message) {
    if (ok_) failure_ = YamlFailure{at, std::move(message)};
    ok_ = false;
    return false;
  }
  bool expect(yaml_event_type_t type, std::string_view what) {
    if (!ok_) return false;
    if (event_.type != type) return fail(line(), fmt::format("expected {}", what));
    return advance();
  }

  // Skips the current node (and everything in it).
  bool skip() {
    int depth = 0;
    do {
      switch (type()) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
          ++depth;
          break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
          --depth;
          break;
        case YAML_SCALAR_EVENT:
          break;
        default:
          return fail(line(), "unexpected YAML event");
      }
      if (!advance()) return false;
    } while (depth > 0);
    return true;
  }

  // The current node as canonical text: scalars quoted, mappings with
  // sorted keys, so only content (not style or key order) matters.
  bool canonical(std::string& out) {
    switch (type()) {
      case YAML_SCALAR_EVENT:
        out = plain_null() ? "null" : quote(scalar());
        return advance();
      case YAML_SEQUENCE_START_EVENT: {
        if (!advance()) return false;
        out = "[";
        bool first = true;
        while (type() != YAML_SEQUENCE_END_EVENT) {
          std::string item;
          if (!canonical(item)) return false;
          if (!first) out += ',';
          out += item;
          first = false;
        }
        out += ']';
        return advance();
      }
      case YAML_MAPPING_START_EVENT: {
        if (!advance()) return false;
        std::vector<std::pair<std::string, std::string>> entries;
        while (type() != YAML_MAPPING_END_EVENT) {
          std::string key, value;
          if (!canonical(key) || !canonical(value)) return false;
          entries.emplace_back(std::move(key), std::move(value));
        }
        std::sort(entries.begin(), entries.end());
        out = "{";
        for (std::size_t i = 0; i < entries.size(); ++i) {
          if (i) out += ',';
          out += entries[i].first;
          out += ':';
          out += entries[i].second;
        }
        out += '}';
        return advance();
      }
      default:
        return fail(line(), "unexpected YAML event");
    }
  }

  // A scalar mapping key; fails on anything else.
  bool key(std::string& out, int& at) {
    if (type() != YAML_SCALAR_EVENT) return fail(line(), "expected a plain key");
    out.assign(scalar());
    at = line();
    return advance();
  }

  // JSON's string form: quotes and escapes as nlohmann-json writes them.
  static std::string quote(std::string_view text) {
    return nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

 private:
  YamlFailure& failure_;
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
  bool ok_ = true;
};

bool is_dependency_key(std::string_view key) {
  return key == "dependencies" || key == "optionalDependencies" || key == "devDependencies";
}

// `name: ref` (snapshots, v6 packages) or `name: {specifier, version}`
// (importers) entries of a dependencies mapping.
bool read_deps(Reader& r, std::vector<RawDep>& out) {
  if (r.type() == YAML_SCALAR_EVENT && r.plain_null()) return r.advance();
  if (!r.expect(YAML_MAPPING_START_EVENT, "a mapping of dependencies")) return false;
  while (r.type() == YAML_SCALAR_EVENT) {
    RawDep dep;
    int at = 0;
    if (!r.key(dep.name, at)) return false;
    if (r.type() == YAML_SCALAR_EVENT) {
      dep.ref.assign(r.scalar());
      if (!r.advance()) return false;
    } else if (r.type() == YAML_MAPPING_START_EVENT) {
      if (!r.advance()) return false;
      while (r.type() == YAML_SCALAR_EVENT) {
        bool version = r.scalar() == "version";
        if (!r.advance()) return false;
        if (version && r.type() == YAML_SCALAR_EVENT) {
          dep.ref.assign(r.scalar());
          if (!r.advance()) return false;
        } else if (!r.skip()) {
          return false;
        }
      }
      if (!r.expect(YAML_MAPPING_END_EVENT, "the end of a dependency")) return false;
      if (dep.ref.empty()) return r.fail(at, fmt::format("dependency `{}` has no version", dep.name));
    } else {
      return r.fail(r.line(), fmt::format("dependency `{}`: expected a version", dep.name));
    }
    out.push_back(std::move(dep));
  }
  return r.expect(YAML_MAPPING_END_EVENT, "a dependency name");
}

bool read_resolution(Reader& r, std::string& out) {
  if (r.type() != YAML_MAPPING_START_EVENT) return r.canonical(out);
  // {integrity: ...} is what nearly every package has; other resolutions
  // (tarball, git commit, directory) count by their whole content.
  std::string all = "{";
  bool first = true;
  if (!r.advance()) return false;
  std::vector<std::pair<std::string, std::string>> entries;
  while (r.type() != YAML_MAPPING_END_EVENT) {
    std::string key, value;
    if (r.type() == YAML_SCALAR_EVENT && r.scalar() == "integrity") {
      if (!r.advance()) return false;
      if (r.type() != YAML_SCALAR_EVENT) return r.fail(r.line(), "integrity is not a string");
      out.assign(r.scalar());
      if (!r.advance()) return false;
      entries.clear();
      while (r.type() != YAML_MAPPING_END_EVENT) {
        if (!r.skip()) return false;
      }
      return r.advance();
    }
    if (!r.canonical(key) || !r.canonical(value)) return false;
    entries.emplace_back(std::move(key), std::move(value));
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [key, value] : entries) {
    if (!first) all += ',';
    all += key + ":" + value;
    first = false;
  }
  out = all + "}";
  return r.advance();
}

// One entry: key, then its mapping (or `{}`, or nothing).
bool read_entry(Reader& r, std::vector<RawEntry>& out) {
  RawEntry entry;
  if (!r.key(entry.key, entry.line)) return false;
  if (r.type() == YAML_SCALAR_EVENT && r.plain_null()) {
    out.push_back(std::move(entry));
    return r.advance();
  }
  // (The message is formatted only on failure: this runs for every entry.)
  if (r.type() != YAML_MAPPING_START_EVENT) return r.fail(r.line(), fmt::format("expected a mapping for `{}`", entry.key));
  if (!r.advance()) return false;
  while (r.type() == YAML_SCALAR_EVENT) {
    std::string_view field = r.scalar();
    if (field == "resolution") {
      if (!r.advance() || !read_resolution(r, entry.resolution)) return false;
    } else if (is_dependency_key(field)) {
      if (!r.advance() || !read_deps(r, entry.deps)) return false;
    } else {
      if (!r.advance() || !r.skip()) return false;
    }
  }
  if (r.type() != YAML_MAPPING_END_EVENT) return r.fail(r.line(), fmt::format("expected a field name in `{}`", entry.key));
  if (!r.advance()) return false;
  out.push_back(std::move(entry));
  return true;
}

bool read_entries_mapping(Reader& r, std::vector<RawEntry>& out) {
  if (r.type() == YAML_SCALAR_EVENT && r.plain_null()) return r.advance();
  if (!r.expect(YAML_MAPPING_START_EVENT, "a mapping of entries")) return false;
  while (r.type() == YAML_SCALAR_EVENT) {
    if (!read_entry(r, out)) return false;
  }
  return r.expect(YAML_MAPPING_END_EVENT, "an entry");
}

bool document_start(Reader& r) {
  return r.expect(YAML_STREAM_START_EVENT, "a YAML stream") && r.expect(YAML_DOCUMENT_START_EVENT, "a document");
}

bool document_end(Reader& r) {
  if (!r.expect(YAML_DOCUMENT_END_EVENT, "the end of the document")) return false;
  if (r.type() != YAML_STREAM_END_EVENT) return r.fail(r.line(), "a second YAML document, which lockfiles do not have");
  return true;
}

}  // namespace

int section_of(std::string_view key) {
  if (key == "importers") return static_cast<int>(Section::importers);
  if (key == "packages") return static_cast<int>(Section::packages);
  if (key == "snapshots") return static_cast<int>(Section::snapshots);
  return -1;
}

bool read_entries(std::string_view text, std::vector<RawEntry>& out, YamlFailure& failure) {
  Reader r(text, failure);
  return document_start(r) && read_entries_mapping(r, out) && document_end(r);
}

bool read_whole(std::string_view text, WholeDocument& out, YamlFailure& failure) {
  Reader r(text, failure);
  if (!r.expect(YAML_STREAM_START_EVENT, "a YAML stream")) return false;
  if (r.type() == YAML_STREAM_END_EVENT) return r.fail(1, "the lockfile is empty");
  if (!r.expect(YAML_DOCUMENT_START_EVENT, "a document")) return false;
  if (!r.expect(YAML_MAPPING_START_EVENT, "a mapping at the top level")) return false;
  bool seen[kSections] = {};
  while (r.type() == YAML_SCALAR_EVENT) {
    std::string key;
    int at = 0;
    if (!r.key(key, at)) return false;
    int section = section_of(key);
    if (section >= 0) {
      if (seen[section]) return r.fail(at, fmt::format("`{}` appears twice", key));
      seen[section] = true;
      if (!read_entries_mapping(r, out.sections[section])) return false;
    } else {
      std::string value;
      if (!r.canonical(value)) return false;
      out.settings.emplace_back(std::move(key), std::move(value));
    }
  }
  return r.expect(YAML_MAPPING_END_EVENT, "a top-level key") && document_end(r);
}

bool read_settings(std::string_view text, std::vector<std::pair<std::string, std::string>>& out,
                   YamlFailure& failure) {
  Reader r(text, failure);
  if (!document_start(r)) return false;
  if (!r.expect(YAML_MAPPING_START_EVENT, "a mapping at the top level")) return false;
  while (r.type() == YAML_SCALAR_EVENT) {
    std::string key, value;
    int at = 0;
    if (!r.key(key, at)) return false;
    if (section_of(key) >= 0) return r.fail(at, fmt::format("`{}` written in an unusual style", key));
    if (!r.canonical(value)) return false;
    out.emplace_back(std::move(key), std::move(value));
  }
  return r.expect(YAML_MAPPING_END_EVENT, "a top-level key") && document_end(r);
}

}  // namespace wharf::lockfile::detail
