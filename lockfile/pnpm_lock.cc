// pnpm-lock.yaml, v6 and v9.
//
// Speed: a plan reads the lockfile at two commits, and a 5 MB lockfile is
// ~100 ms of libyaml alone on one core. pnpm writes block style, a section
// header at column 0 and its entries at two spaces, so the text splits into
// entries without parsing; entries are grouped where a key's hash says so
// (content-defined, so the groups of two commits line up except around what
// changed), groups are parsed in parallel, and a group whose text was parsed
// before (the other commit) is taken from the Parser's cache. Lines of fields
// nothing reads (engines, peerDependencies, specifier...) are blanked before
// libyaml sees them. A text laid out any other way is parsed whole.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <xxhash.h>

#include "lockfile/builder.h"
#include "lockfile/readers.h"
#include "lockfile/yaml_events.h"

namespace wharf::lockfile {

namespace detail {
namespace {

// A group ends after an entry whose key line hashes to 0 mod this: ~64
// entries, ~10 KB a group, a few hundred groups in a 5 MB lockfile.
constexpr std::uint64_t kGroupModulus = 64;

struct Piece {
  int section = -1;  // a Section, or -1 for top-level settings keys
  std::string_view text;
  int first_line = 1;
};

// The text cut at its top-level entries; nullopt when it is not laid out the
// way pnpm writes it.
std::optional<std::vector<Piece>> split_layout(std::string_view text) {
  std::vector<Piece> pieces;
  const char* begin = text.data();
  const char* end = begin + text.size();
  int section = -1;
  bool in_piece = false;    // a piece is open
  bool end_group = false;   // the open group ends before the next entry
  Piece open;
  auto close = [&](const char* at) {
    if (in_piece) {
      open.text = std::string_view(open.text.data(), static_cast<std::size_t>(at - open.text.data()));
      pieces.push_back(open);
    }
    in_piece = false;
  };
  int line_no = 0;
  for (const char* p = begin; p < end;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    std::string_view line(p, static_cast<std::size_t>(line_end - p));
    ++line_no;
    const char* next = nl ? nl + 1 : end;
    if (!line.empty() && line.back() == '\r') return std::nullopt;
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') {  // blank or comment: stays where it is
      p = next;
      continue;
    }
    if (line[indent] == '\t') return std::nullopt;
    if (indent == 0) {
      char c = line[0];
      if (c == '-' || c == '?' || c == '%' || c == '.' || c == '&' || c == '*' || c == '!' || c == '|' || c == '>' ||
          c == '{' || c == '[') {
        return std::nullopt;
      }
      std::string_view key = line.substr(0, line.find_last_not_of(' ') + 1);
      int header = key.ends_with(':') ? section_of(key.substr(0, key.size() - 1)) : -1;
      bool named_like_section = key.starts_with("importers") || key.starts_with("packages") ||
                                key.starts_with("snapshots") || c == '\'' || c == '"';
      if (header < 0 && named_like_section) return std::nullopt;  // `packages: {}`, quoted keys...
      if (header >= 0) {
        close(p);
        section = header;
        end_group = false;
      } else if (section >= 0 || !in_piece) {
        close(p);
        section = -1;
        open = Piece{-1, std::string_view(p, 0), line_no};
        in_piece = true;
      }
      p = next;
      continue;
    }
    if (section < 0) {  // a line of a settings value
      if (!in_piece) return std::nullopt;
      p = next;
      continue;
    }
    if (indent < 2) return std::nullopt;
    if (indent == 2) {
      char c = line[2];
      if (c == '-' || c == '?' || c == '&' || c == '*' || c == '!') return std::nullopt;
      if (line.ends_with("|") || line.ends_with(">") || line.ends_with("|-") || line.ends_with(">-")) return std::nullopt;
      if (!in_piece || end_group) {
        close(p);
        open = Piece{section, std::string_view(p, 0), line_no};
        in_piece = true;
      }
      end_group = XXH3_64bits(line.data(), line.size()) % kGroupModulus == 0;
    } else if (!in_piece) {
      return std::nullopt;  // an indented line before the section's first entry
    }
    p = next;
  }
  close(end);
  return pieces;
}

bool starts_with_key(std::string_view line, std::size_t indent, std::string_view key) {
  return line.size() > indent + key.size() && line.compare(indent, key.size(), key) == 0 &&
         line[indent + key.size()] == ':';
}

// The group's text with the fields nothing reads blanked (line count kept,
// so libyaml's lines stay right). Only plain keys pnpm writes are dropped;
// anything unexpected is left for libyaml.
std::string without_unread_fields(std::string_view text, int section) {
  static constexpr std::string_view kUnreadInPackages[] = {
      "engines", "cpu", "os", "libc", "hasBin", "deprecated", "peerDependencies", "peerDependenciesMeta",
      "transitivePeerDependencies", "bundledDependencies", "optional", "requiresBuild", "dev"};
  std::size_t field_indent = section == static_cast<int>(Section::importers) ? 8 : 4;
  std::string out;
  out.reserve(text.size());
  bool dropping = false;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t nl = text.find('\n', p);
    std::size_t line_end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(p, line_end - p);
    p = line_end;
    std::size_t indent = line.find_first_not_of(' ');
    bool blank = indent == std::string_view::npos || line[indent] == '\n';
    if (!blank && indent <= field_indent) {
      dropping = false;
      if (indent == field_indent) {
        if (section == static_cast<int>(Section::importers)) {
          dropping = starts_with_key(line, indent, "specifier");
        } else {
          for (std::string_view key : kUnreadInPackages) dropping = dropping || starts_with_key(line, indent, key);
        }
      }
    }
    if (dropping && !blank) {
      out += '\n';
    } else {
      out.append(line);
    }
  }
  return out;
}

struct Group {
  bool ok = false;
  YamlFailure failure;
  std::vector<RawEntry> entries;
};

struct GroupKey {
  XXH128_hash_t hash;
  bool operator==(const GroupKey& o) const { return hash.low64 == o.hash.low64 && hash.high64 == o.hash.high64; }
};
struct GroupKeyHash {
  std::size_t operator()(const GroupKey& k) const { return static_cast<std::size_t>(k.hash.low64); }
};

GroupKey key_of(const Piece& piece) {
  // The section is the seed: the same text means different things in each.
  return GroupKey{XXH3_128bits_withSeed(piece.text.data(), piece.text.size(), static_cast<XXH64_hash_t>(piece.section))};
}

// Keys to numbers, open addressing with XXH3: a std::unordered_map's node
// per key and its std::hash were a sixth of assembling a 5 MB lockfile.
class KeyTable {
 public:
  explicit KeyTable(std::size_t count) {
    std::size_t size = 16;
    while (size < count * 2) size *= 2;
    slots_.resize(size);
    mask_ = size - 1;
  }
  // False when the key is there already.
  bool insert(std::string_view key, std::uint32_t value) {
    std::uint64_t hash = XXH3_64bits(key.data(), key.size());
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot = Slot{hash, key, value, true};
        return true;
      }
      if (slot.hash == hash && slot.key == key) return false;
    }
  }
  std::optional<std::uint32_t> find(std::string_view key) const {
    std::uint64_t hash = XXH3_64bits(key.data(), key.size());
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (!slot.used) return std::nullopt;
      if (slot.hash == hash && slot.key == key) return slot.value;
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::string_view key;
    std::uint32_t value = 0;
    bool used = false;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

// What the three sections and the settings hold, however they were read.
struct Sections {
  std::vector<std::pair<const RawEntry*, int>> entries[kSections];  // entry, line offset
  std::vector<std::pair<std::string, std::string>> settings;
};

std::string_view strip_peers(std::string_view key) { return key.substr(0, key.find('(')); }

Package make_package(std::string_view key, std::string_view resolution) {
  std::string_view base = strip_peers(key);
  Package package;
  if (auto split = split_at_version(base)) {
    package.name = split->first;
    package.version = split->second;
  } else {
    package.name = base;  // a key with no version (a local directory)
  }
  package.integrity = resolution;
  return package;
}

int major_version(std::string_view canonical) {
  // "\"9.0\"" (or 9.0 written as a number)
  std::size_t digit = canonical.find_first_of("0123456789");
  if (digit == std::string_view::npos) return -1;
  int major = 0;
  for (std::size_t i = digit; i < canonical.size() && canonical[i] >= '0' && canonical[i] <= '9'; ++i) {
    major = major * 10 + (canonical[i] - '0');
  }
  return major;
}

Result<Lockfile> assemble(std::string_view file, const Sections& s) {
  LockfileBuilder builder(Format::pnpm, file);
  int version = -1;
  for (const auto& [key, value] : s.settings) {
    if (key == "lockfileVersion") version = major_version(value);
  }
  if (version != 6 && version != 9) {
    return parse_error(file, 1,
                       version < 0 ? std::string("no lockfileVersion")
                                   : fmt::format("lockfileVersion {} is not supported (6 or 9 are); update pnpm", version));
  }
  builder.set_settings(settings_text(s.settings));
  bool v6 = version == 6;
  auto at = [](const std::pair<const RawEntry*, int>& e) { return e.first->line + e.second; };
  auto normal_key = [&](std::string_view key) { return v6 && key.starts_with('/') ? key.substr(1) : key; };

  // v9 keeps resolutions in packages and edges in snapshots; v6 has both in
  // packages. Instances are numbered in the order listed: nodes first, then
  // v9 packages that no snapshot is of (pnpm writes `x@1.0.0: {}` for them,
  // but a hand-trimmed lockfile may not).
  const auto& nodes = s.entries[static_cast<int>(v6 ? Section::packages : Section::snapshots)];
  const auto& package_entries = s.entries[static_cast<int>(Section::packages)];
  KeyTable resolutions(v6 ? 0 : package_entries.size());  // packages key -> index in package_entries
  if (!v6) {
    for (std::uint32_t i = 0; i < package_entries.size(); ++i) resolutions.insert(package_entries[i].first->key, i);
  }
  KeyTable position(nodes.size() + (v6 ? 0 : package_entries.size()));  // instance key -> position
  std::vector<const std::pair<const RawEntry*, int>*> listed;
  listed.reserve(nodes.size() + (v6 ? 0 : package_entries.size()));
  std::vector<bool> has_snapshot(v6 ? 0 : package_entries.size());
  for (const auto& e : nodes) {
    std::string_view key = normal_key(e.first->key);
    if (!position.insert(key, static_cast<std::uint32_t>(listed.size()))) {
      return parse_error(file, at(e), fmt::format("`{}` is listed twice", e.first->key));
    }
    listed.push_back(&e);
    if (!v6) {
      if (auto found = resolutions.find(strip_peers(key))) has_snapshot[*found] = true;
    }
  }
  for (std::size_t i = 0; i < has_snapshot.size(); ++i) {
    if (!has_snapshot[i] && position.insert(package_entries[i].first->key, static_cast<std::uint32_t>(listed.size()))) {
      listed.push_back(&package_entries[i]);
    }
  }

  // The instance a dependency `name: ref` names: `name@ref` (ref may carry a
  // peer suffix), or for an alias (`string-width-cjs: string-width@4.2.3`,
  // v6 `/string-width@4.2.3`) the ref itself. nullopt when not listed.
  auto target = [&](const RawDep& dep, std::string& scratch) -> std::optional<std::uint32_t> {
    std::string_view ref = dep.ref;
    if (v6 && ref.starts_with('/')) ref.remove_prefix(1);
    else {
      scratch.assign(dep.name);
      scratch += '@';
      scratch += ref;
      if (auto found = position.find(scratch)) return found;
    }
    return position.find(ref);
  };
  auto missing = [&](std::string_view owner, const RawDep& dep, int line) {
    return parse_error(file, line,
                       fmt::format("`{}` depends on `{}` {}, which the lockfile does not list; regenerate the lockfile "
                                   "with pnpm",
                                   owner, dep.name, dep.ref));
  };

  // The instances, filled in parallel (they are most of the work).
  auto& instances = builder.instances();
  instances.resize(listed.size());
  std::vector<std::optional<Error>> errors(listed.size());
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, listed.size(), 512), [&](const tbb::blocked_range<std::size_t>& r) {
    std::string scratch;
    for (std::size_t i = r.begin(); i != r.end(); ++i) {
      const auto& e = *listed[i];
      const RawEntry& entry = *e.first;
      std::string_view key = normal_key(entry.key);
      std::string_view resolution = entry.resolution;
      bool is_node = i < nodes.size();
      if (!v6) {
        auto found = resolutions.find(strip_peers(key));
        if (!found) {
          errors[i] = parse_error(file, at(e),
                                  fmt::format("snapshot `{}` has no entry in packages; regenerate the lockfile with pnpm",
                                              key))
                          .error();
          continue;
        }
        resolution = package_entries[*found].first->resolution;
      }
      RawInstance& instance = instances[i];
      instance.key.assign(key);
      instance.package = make_package(key, resolution);
      instance.line = at(e);
      if (!is_node) continue;
      for (const RawDep& dep : entry.deps) {
        if (dep.ref.starts_with("link:")) continue;  // a local directory, not a package
        auto id = target(dep, scratch);
        if (!id) {
          errors[i] = missing(key, dep, at(e)).error();
          break;
        }
        instance.dep_ids.push_back(*id);
      }
    }
  });
  for (auto& error : errors) {
    if (error) return std::unexpected(std::move(*error));
  }

  std::string scratch;
  for (const auto& e : s.entries[static_cast<int>(Section::importers)]) {
    const RawEntry& entry = *e.first;
    auto dir = join_dir(".", entry.key);
    if (!dir) return parse_error(file, at(e), fmt::format("importer `{}` is outside the lockfile's directory", entry.key));
    RawImporter importer;
    importer.dir = *dir;
    importer.line = at(e);
    for (const RawDep& dep : entry.deps) {
      if (dep.ref.starts_with("link:")) {
        if (auto linked = join_dir(*dir, std::string_view(dep.ref).substr(5))) importer.links.push_back(*linked);
        continue;
      }
      auto id = target(dep, scratch);
      if (!id) return missing(*dir == "." ? std::string_view("the root importer") : std::string_view(*dir), dep, at(e));
      importer.dep_ids.push_back(*id);
    }
    builder.add_importer(std::move(importer));
  }
  return builder.finish();
}

Result<Lockfile> parse_whole(std::string_view file, std::string_view text) {
  WholeDocument doc;
  YamlFailure failure;
  if (!read_whole(text, doc, failure)) return parse_error(file, failure.line, failure.message);
  Sections s;
  for (int i = 0; i < kSections; ++i) {
    for (const RawEntry& entry : doc.sections[i]) s.entries[i].emplace_back(&entry, 0);
  }
  s.settings = std::move(doc.settings);
  return assemble(file, s);
}

}  // namespace
}  // namespace detail

struct Parser::GroupCache {
  std::unordered_map<detail::GroupKey, std::shared_ptr<const detail::Group>, detail::GroupKeyHash> groups;
};

namespace detail {

std::vector<Result<Lockfile>> parse_pnpm_all(std::span<const PnpmText> texts, PnpmStrategy strategy,
                                             Parser::GroupCache& cache, Parser::Stats& stats) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  auto start = Clock::now();
  // Each text's pieces, and which groups none has seen before, each once.
  struct Prepared {
    std::optional<std::vector<Piece>> pieces;
    std::vector<GroupKey> keys;
    std::vector<std::shared_ptr<const Group>> groups;
  };
  std::vector<Prepared> prepared(texts.size());
  struct Miss {
    std::size_t text, piece;
  };
  std::vector<Miss> misses;
  std::unordered_map<GroupKey, std::size_t, GroupKeyHash> miss_of;  // group -> index in misses
  for (std::size_t t = 0; t < texts.size(); ++t) {
    Prepared& p = prepared[t];
    if (strategy == PnpmStrategy::grouped) p.pieces = split_layout(texts[t].text);
    if (!p.pieces) continue;
    p.keys.resize(p.pieces->size());
    p.groups.resize(p.pieces->size());
    for (std::size_t i = 0; i < p.pieces->size(); ++i) {
      const Piece& piece = (*p.pieces)[i];
      if (piece.section < 0) continue;
      p.keys[i] = key_of(piece);
      auto hit = cache.groups.find(p.keys[i]);
      if (hit != cache.groups.end()) {
        p.groups[i] = hit->second;
        ++stats.groups_shared;
      } else if (miss_of.emplace(p.keys[i], misses.size()).second) {
        misses.push_back(Miss{t, i});
      } else {
        ++stats.groups_shared;
      }
    }
  }
  stats.split_ms += since(start);
  start = Clock::now();
  std::vector<std::shared_ptr<const Group>> parsed(misses.size());
  tbb::parallel_for(std::size_t{0}, misses.size(), [&](std::size_t m) {
    const Piece& piece = (*prepared[misses[m].text].pieces)[misses[m].piece];
    auto group = std::make_shared<Group>();
    std::string filtered = without_unread_fields(piece.text, piece.section);
    group->ok = read_entries(filtered, group->entries, group->failure);
    parsed[m] = std::move(group);
  });
  stats.groups_parsed += misses.size();
  stats.groups_ms += since(start);
  start = Clock::now();
  for (std::size_t m = 0; m < misses.size(); ++m) {
    cache.groups.emplace(prepared[misses[m].text].keys[misses[m].piece], parsed[m]);
  }

  // Each text assembled, in parallel with the others.
  std::vector<std::optional<Result<Lockfile>>> results(texts.size());
  std::vector<int> whole(texts.size(), 0);
  tbb::parallel_for(std::size_t{0}, texts.size(), [&](std::size_t t) {
    Prepared& p = prepared[t];
    bool ok = p.pieces.has_value();
    Sections s;
    for (std::size_t i = 0; ok && i < p.pieces->size(); ++i) {
      const Piece& piece = (*p.pieces)[i];
      if (piece.section < 0) {
        YamlFailure failure;
        ok = read_settings(piece.text, s.settings, failure);
        continue;
      }
      if (!p.groups[i]) p.groups[i] = parsed[miss_of.at(p.keys[i])];
      const Group& group = *p.groups[i];
      ok = group.ok;
      for (const RawEntry& entry : group.entries) s.entries[piece.section].emplace_back(&entry, piece.first_line - 1);
    }
    // Errors are reported by the whole-document parse, which names the
    // right line whatever went wrong (and may show the layout was unusual).
    if (!ok) {
      whole[t] = 1;
      results[t] = parse_whole(texts[t].file, texts[t].text);
    } else {
      results[t] = assemble(texts[t].file, s);
    }
  });
  stats.assemble_ms += since(start);
  std::vector<Result<Lockfile>> out;
  out.reserve(texts.size());
  for (std::size_t t = 0; t < texts.size(); ++t) {
    stats.whole_documents += static_cast<std::size_t>(whole[t]);
    out.push_back(std::move(*results[t]));
  }
  return out;
}

}  // namespace detail

// Here, where the cache's type is complete.
Parser::Parser(PnpmStrategy strategy) : strategy_(strategy), cache_(std::make_unique<GroupCache>()) {}
Parser::~Parser() = default;

}  // namespace wharf::lockfile
