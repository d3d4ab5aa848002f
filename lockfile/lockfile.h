// Package-manager lockfiles as a graph: which resolved external packages each
// workspace importer reaches. What lets a plan count a lockfile change only
// for the services whose dependency closure changed (issue 16).
//
// Formats: pnpm-lock.yaml (v6 and v9), package-lock.json / npm-shrinkwrap.json
// (v2 and v3), yarn.lock (classic v1 and berry). Everything here is pure
// logic over texts; the caller reads blobs (a commit's tree, through
// fs::SourceTree) and caches encoded lockfiles by blob id (encode/decode).
//
// Errors are values (ErrorKind::config) naming `file:line` when the line is
// known; nothing here throws or crashes on bad input. A caller that gets an
// error counts the lockfile as changed for every service (never a wrong skip).
//
// Thread safety: Lockfile and Closure are values; a Parser is used from one
// thread at a time (it parallelises inside), a ClosureIndex too.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/source_tree.h"
#include "util/error.h"

namespace wharf::lockfile {

enum class Format { pnpm, npm, yarn_classic, yarn_berry };

const char* to_string(Format format);

// The format a lockfile has by its file name (the basename of `path`):
// pnpm-lock.yaml, package-lock.json, npm-shrinkwrap.json, yarn.lock (reported
// as yarn_classic; parse() tells berry from classic by the content, as berry
// has `__metadata`). nullopt for any other name.
std::optional<Format> format_for_path(std::string_view path);

// A resolved external package: what a closure is made of. `integrity` is the
// lockfile's integrity hash (pnpm/npm `integrity`, yarn berry `checksum`), or,
// for a package that has none (a tarball URL, a git commit), the most specific
// resolution the lockfile gives, so a change of source still counts.
struct Package {
  std::string name;
  std::string version;
  std::string integrity;
  auto operator<=>(const Package&) const = default;
};

// One lockfile as a graph. Indices are positions in the vectors; every vector
// is sorted (so two parses of equal content are equal, and encode() is
// deterministic).
struct Lockfile {
  // A package as installed in one place: a pnpm snapshot (name@version with
  // its peer suffix), an npm install path (node_modules/a/node_modules/b), a
  // yarn entry. Several instances can be the same Package.
  struct Instance {
    std::string key;                  // as the lockfile names it
    std::uint32_t package = 0;        // index into packages
    std::vector<std::uint32_t> deps;  // indices into instances, sorted, unique
    bool operator==(const Instance&) const = default;
  };
  // A workspace project the lockfile installs for.
  struct Importer {
    std::string dir;                   // relative to the lockfile's directory, "." for its own
    std::vector<std::uint32_t> deps;   // indices into instances, sorted, unique
    std::vector<std::uint32_t> links;  // indices into importers (workspace:/link: deps), sorted, unique
    bool operator==(const Importer&) const = default;
  };

  Format format = Format::pnpm;
  // The global settings in a canonical text (keys sorted, one `key=value` a
  // line, values as compact JSON-like text): pnpm's lockfileVersion,
  // settings, overrides, patchedDependencies, catalogs... (every top-level
  // key but importers/packages/snapshots); npm's lockfileVersion and root
  // overrides; yarn berry's __metadata; yarn classic's lockfile version line.
  std::string settings;
  std::vector<Package> packages;    // sorted by (name, version, integrity), unique
  std::vector<Instance> instances;  // sorted by key, unique keys
  std::vector<Importer> importers;  // sorted by dir, unique dirs

  bool operator==(const Lockfile&) const = default;
};

// How a Parser reads a pnpm-lock.yaml. `grouped`: split the text into its
// top-level entries, parse groups of them in parallel and share identical
// groups between the lockfiles one Parser reads (two commits of one lockfile
// mostly agree); falls back to `whole_document` when the text is not laid
// out the way pnpm writes it. `whole_document`: one libyaml pass over the
// whole text, any YAML style. Both give the same Lockfile for any lockfile
// that parses; the grouped reader never looks inside fields nothing reads
// (engines, peerDependencies, specifier...), so damage confined to those is
// not an error there. Any error the grouped reader meets is reported by a
// whole-document parse, so messages name the right line.
enum class PnpmStrategy { grouped, whole_document };

// Parses lockfiles, keeping what it learnt for the next one (a run parses
// the same lockfile at two or more commits). Not thread-safe: one caller at
// a time; the parse itself uses oneTBB.
class Parser {
 public:
  explicit Parser(PnpmStrategy strategy = PnpmStrategy::grouped);
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // `path` is the lockfile's path in the repository (its basename picks the
  // format, the whole path names it in errors, its directory is where
  // importer dirs start); `tree` gives the other files of the same commit
  // (yarn classic reads the workspaces' package.json files through it:
  // the root package.json `workspaces` globs, or `{packages: [...]}`).
  Result<Lockfile> parse(std::string_view path, std::string_view text, const fs::SourceTree& tree);

  // Several lockfiles at once, typically one lockfile at a plan's base and
  // head commits: a pnpm lockfile's groups are parsed in one parallel pass
  // for all of them and the texts are assembled in parallel, which on two
  // cores is most of the difference to parsing them one after the other.
  // A result for each input, in order; the same as parse() would give.
  struct Input {
    std::string_view path;
    std::string_view text;
    const fs::SourceTree* tree = nullptr;  // yarn classic reads package.json files here (none when null)
  };
  std::vector<Result<Lockfile>> parse_all(std::span<const Input> inputs);

  // Counters, for tests and the bench: pnpm groups parsed vs taken from
  // earlier parses, and whole-document parses (fallbacks included).
  struct Stats {
    std::size_t groups_parsed = 0;
    std::size_t groups_shared = 0;
    std::size_t whole_documents = 0;
    // Milliseconds spent, summed over parses: cutting the text into
    // groups, parsing groups with libyaml, building the Lockfile.
    double split_ms = 0, groups_ms = 0, assemble_ms = 0;
  };
  const Stats& stats() const { return stats_; }

  struct GroupCache;

 private:
  PnpmStrategy strategy_;
  std::unique_ptr<GroupCache> cache_;
  Stats stats_;
};

// parse() with a Parser of its own (nothing shared).
Result<Lockfile> parse(std::string_view path, std::string_view text, const fs::SourceTree& tree);

// Importer directories in the lockfile, sorted.
std::vector<std::string> importers(const Lockfile& lockfile);

// Whether two lockfiles' global settings are the same (and so are formats).
bool same_settings(const Lockfile& a, const Lockfile& b);

// The resolved external packages reachable from some importers: `ids` index
// the lockfile's `packages`, sorted, so the packages are in (name, version,
// integrity) order, each once. `digest` is XXH3-128 of those packages'
// contents: equal closures of two different lockfiles have equal digests.
struct Closure {
  std::vector<std::uint32_t> ids;
  std::array<std::uint64_t, 2> digest{};
  bool operator==(const Closure&) const = default;
};

// The closure of `importer_dirs` (importer directories as importers() gives
// them; unknown ones are ignored), following links to other importers
// transitively. Cheap for one call; for many, use a ClosureIndex.
Closure closure(const Lockfile& lockfile, std::span<const std::string> importer_dirs);

// Closures of many importer sets over one lockfile: what each importer
// reaches by itself is computed once and reused (500 services sharing a
// lockfile ask for overlapping sets). Holds a reference to the lockfile.
class ClosureIndex {
 public:
  explicit ClosureIndex(const Lockfile& lockfile);
  Closure closure(std::span<const std::string> importer_dirs);

 private:
  const std::vector<std::uint32_t>& own(std::uint32_t importer);

  // Sorts ids collected with `package_stamp_` marks: a scan of the marks
  // when they are dense, a sort otherwise.
  void sort_collected(std::vector<std::uint32_t>& ids) const;

  const Lockfile& lockfile_;
  std::vector<std::optional<std::vector<std::uint32_t>>> own_;  // per importer, links not followed
  std::vector<std::uint32_t> stamp_;                             // per instance: last walk that saw it
  std::vector<std::uint32_t> package_stamp_;                     // per package: last walk that saw it
  std::uint32_t walk_ = 0;
  std::vector<std::array<std::uint64_t, 2>> package_hash_;  // per package, XXH3-128 of its fields
};

// The packages of `after` that differ from `before`, for a plan's reason:
// "react 18.2.0 -> 18.3.1, left-pad 1.3.0 removed, zod 3.23.8 added" in name
// order, at most `limit` items and then "and N more"; an integrity-only
// change reads "lodash 4.17.21 (integrity)". "" when the closures agree.
std::string describe_changes(const Lockfile& before_lockfile, const Closure& before, const Lockfile& after_lockfile,
                             const Closure& after, std::size_t limit = 3);

// A compact binary form for wharf's cache (keyed by blob id): a magic, a
// version, the lockfile, and an XXH3-64 checksum of all that. decode()
// returns nullopt for anything that is not a whole, undamaged encoding of
// this version (including out-of-range indices).
std::string encode(const Lockfile& lockfile);
std::optional<Lockfile> decode(std::string_view bytes);

}  // namespace wharf::lockfile
