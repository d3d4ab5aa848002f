#include "plan/lockfiles.h"

#include <algorithm>
#include <array>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <xxhash.h>

#include "lockfile/lockfile.h"
#include "util/bytes.h"

namespace wharf::plan {

namespace {

constexpr std::string_view kStorePrefix = "lockfile/";
// Verdicts of one pair of a lockfile's blobs: "lockpair/BEFORE/AFTER/PATH",
// PATH as a hash (a key is at most 511 bytes in LMDB).
constexpr std::string_view kPairPrefix = "lockpair/";
constexpr std::string_view kPairMagic = "WLKP";
// Bump when what a verdict means changes (the importers a service has, the
// closure rule, the detail's text): records of another version are ignored.
constexpr std::uint8_t kPairVersion = 1;

std::string_view dir_of(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// The repository path of an importer's package.json: `dir` is relative to
// the lockfile's directory, "." for that directory itself.
std::string manifest_of(std::string_view lock_dir, std::string_view dir) {
  std::string path(lock_dir);
  if (dir != "." && !dir.empty()) {
    if (!path.empty()) path += '/';
    path += dir;
  }
  if (!path.empty()) path += '/';
  path += "package.json";
  return path;
}

// The importers of `after` whose closure is surely what it was in `before`:
// the importer is in both with the same direct dependencies (by key) and
// links, none of those dependencies is "affected" (an instance that is new,
// differs in its package or its dependencies' keys, or reaches one that
// does), and so are the importers it links to. By induction everything it
// reaches then has an identical counterpart. One pass over the graph instead
// of a closure per importer: on the benchmark's 700 importers, each
// reaching thousands of packages, the closures were ~300 ms.
std::set<std::string> unchanged_importers(const lockfile::Lockfile& before, const lockfile::Lockfile& after) {
  using Instance = lockfile::Lockfile::Instance;
  auto find_instance = [](const lockfile::Lockfile& lock, std::string_view key) -> const Instance* {
    auto it = std::lower_bound(lock.instances.begin(), lock.instances.end(), key,
                               [](const Instance& i, std::string_view k) { return i.key < k; });
    return it != lock.instances.end() && it->key == key ? &*it : nullptr;
  };
  auto same_deps = [&](const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    if (a.size() != b.size()) return false;
    std::vector<std::string_view> ka, kb;
    for (auto i : a) ka.push_back(before.instances[i].key);
    for (auto i : b) kb.push_back(after.instances[i].key);
    std::sort(ka.begin(), ka.end());
    std::sort(kb.begin(), kb.end());
    return ka == kb;
  };
  const std::size_t n = after.instances.size();
  std::vector<std::vector<std::uint32_t>> parents(n);
  std::vector<char> affected(n, 0);
  std::vector<std::uint32_t> todo;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Instance& now = after.instances[i];
    for (auto d : now.deps) parents[d].push_back(i);
    const Instance* was = find_instance(before, now.key);
    if (!was || before.packages[was->package] != after.packages[now.package] || !same_deps(was->deps, now.deps)) {
      affected[i] = 1;
      todo.push_back(i);
    }
  }
  while (!todo.empty()) {
    std::uint32_t i = todo.back();
    todo.pop_back();
    for (auto p : parents[i]) {
      if (!affected[p]) {
        affected[p] = 1;
        todo.push_back(p);
      }
    }
  }
  // Importers: own part first, then links, to a fixpoint (links are few).
  std::map<std::string, const lockfile::Lockfile::Importer*> old_importers;
  for (const auto& importer : before.importers) old_importers[importer.dir] = &importer;
  std::map<std::string, bool> ok;
  for (const auto& importer : after.importers) {
    auto it = old_importers.find(importer.dir);
    bool same = it != old_importers.end() && same_deps(it->second->deps, importer.deps) &&
                std::none_of(importer.deps.begin(), importer.deps.end(), [&](auto d) { return affected[d] != 0; });
    if (same) {
      std::vector<std::string_view> links_now, links_was;
      for (auto l : importer.links) links_now.push_back(after.importers[l].dir);
      for (auto l : it->second->links) links_was.push_back(before.importers[l].dir);
      std::sort(links_now.begin(), links_now.end());
      std::sort(links_was.begin(), links_was.end());
      same = links_now == links_was;
    }
    ok[importer.dir] = same;
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& importer : after.importers) {
      if (!ok[importer.dir]) continue;
      for (auto l : importer.links) {
        if (!ok[after.importers[l].dir]) {
          ok[importer.dir] = false;
          changed = true;
          break;
        }
      }
    }
  }
  std::set<std::string> out;
  for (const auto& [dir, same] : ok) {
    if (same) out.insert(dir);
  }
  return out;
}

}  // namespace

struct LockfileJudge::Parsed {
  std::optional<lockfile::Lockfile> lockfile;
  std::string error;  // why there is no lockfile
  // Closures by importer set ("a\nb\n"): services that share importers (a
  // package's) share the work, and the index shares each importer's own part.
  std::unique_ptr<lockfile::ClosureIndex> index;
  std::map<std::string, lockfile::Closure> closures;

  lockfile::ClosureIndex& closure_index() {
    if (!index) index = std::make_unique<lockfile::ClosureIndex>(*lockfile);
    return *index;
  }

  const lockfile::Closure& closure_of(const std::vector<std::string>& dirs, const std::string& key) {
    auto it = closures.find(key);
    if (it == closures.end()) it = closures.emplace(key, closure_index().closure(dirs)).first;
    return it->second;
  }
};

// What a run learns about a lockfile's blobs at a base and a head, kept in
// the store so that the next run answers without reading either: the
// importers' package.json paths (to find a service's importers), whether the
// global settings changed, and each importer set's verdict.
struct LockfileJudge::PairRecord {
  // (repository path of an importer's package.json, importer dir), sorted,
  // for the importers of both lockfiles together.
  std::vector<std::pair<std::string, std::string>> manifests;
  bool settings_changed = false;
  std::map<std::string, LockfileVerdict> verdicts;  // by importer set ("a\nb\n")
  bool dirty = false;                               // learnt something the store lacks

  // This run's reading of the lockfiles, when it needed them.
  bool readable = true;
  Parsed* before = nullptr;
  Parsed* after = nullptr;
  std::string lock_path;
  vcs::ObjectId base, head;  // commits whose trees have the blobs
  std::optional<std::set<std::string>> unchanged;  // see unchanged_importers()

  std::string encode() const {
    ByteWriter w;
    w.raw(kPairMagic);
    w.byte(kPairVersion);
    w.byte(settings_changed ? 1 : 0);
    w.varint(manifests.size());
    for (const auto& [path, dir] : manifests) {
      w.string(path);
      w.string(dir);
    }
    w.varint(verdicts.size());
    for (const auto& [key, verdict] : verdicts) {
      w.string(key);
      w.byte(verdict.changed ? 1 : 0);
      w.string(verdict.detail);
    }
    return std::move(w).seal();
  }

  // False (and nothing changed) unless `bytes` is a whole record of this version.
  bool decode(std::string_view bytes) {
    auto body = unseal(bytes);
    if (!body || !body->starts_with(kPairMagic)) return false;
    ByteReader r(body->substr(kPairMagic.size()));
    if (r.byte() != kPairVersion) return false;
    const std::uint8_t settings = r.byte();
    decltype(manifests) read_manifests(r.count());
    for (auto& [path, dir] : read_manifests) {
      path = r.string();
      dir = r.string();
    }
    decltype(verdicts) read_verdicts;
    for (std::size_t n = r.count(); n > 0 && r.ok(); --n) {
      std::string key = r.string();
      const std::uint8_t changed = r.byte();
      read_verdicts[std::move(key)] = LockfileVerdict{changed != 0, r.string()};
    }
    if (!r.done() || settings > 1) return false;
    settings_changed = settings != 0;
    manifests = std::move(read_manifests);
    verdicts = std::move(read_verdicts);
    return true;
  }
};

bool is_lockfile(std::string_view path) { return lockfile::format_for_path(path).has_value(); }

LockfileJudge::LockfileJudge(const vcs::Repository& repo, ParsedStore* store, FetchBlobs fetch_blobs)
    : store_(store), parser_(std::make_unique<lockfile::Parser>()), fetch_blobs_(std::move(fetch_blobs)) {
  auto opened = vcs::Repository::open(repo.git_dir());
  if (opened) {
    repo_.emplace(std::move(*opened));
  } else {
    open_error_ = opened.error().message;
  }
}

LockfileJudge::~LockfileJudge() = default;

const vcs::TreeFiles* LockfileJudge::tree_at(const vcs::ObjectId& commit) {
  std::string hex = commit.hex();
  auto it = trees_.find(hex);
  if (it != trees_.end()) return it->second.get();
  auto tree = vcs::TreeFiles::at_commit(*repo_, commit);
  if (!tree) return nullptr;
  return trees_.emplace(hex, std::make_unique<vcs::TreeFiles>(std::move(*tree))).first->second.get();
}

std::optional<std::string> LockfileJudge::blob_at(const std::string& lock_path, const vcs::ObjectId& commit) {
  const vcs::TreeFiles* tree = tree_at(commit);
  if (!tree) return std::nullopt;
  return tree->blob_id(lock_path);
}

LockfileJudge::Parsed* LockfileJudge::known_lockfile(const std::string& blob) {
  auto it = parsed_.find(blob);
  if (it != parsed_.end()) return it->second.get();
  if (!store_) return nullptr;
  auto bytes = store_->load(std::string(kStorePrefix) + blob);
  std::optional<lockfile::Lockfile> decoded = bytes ? lockfile::decode(*bytes) : std::nullopt;
  if (!decoded) return nullptr;  // absent or damaged: parsed again
  ++read_count_;
  auto parsed = std::make_unique<Parsed>();
  parsed->lockfile = std::move(decoded);
  return parsed_.emplace(blob, std::move(parsed)).first->second.get();
}

LockfileJudge::Parsed* LockfileJudge::lockfile_at(const vcs::ObjectId& commit, const std::string& blob,
                                                  std::vector<Pending>& pending) {
  if (Parsed* known = known_lockfile(blob)) return known;
  Parsed* parsed = parsed_.emplace(blob, std::make_unique<Parsed>()).first->second.get();
  ++read_count_;
  pending.push_back(Pending{parsed, {}, tree_at(commit), blob, commit, commit.short_hex()});
  return parsed;
}

void LockfileJudge::read_pending(const std::string& lock_path, std::vector<Pending>& pending) {
  // Inflating a 5 MB lockfile's blob takes ~30 ms: a base's and a head's
  // are read side by side, the second through a repository handle of its
  // own (a libgit2 repository is used from one thread at a time).
  std::vector<Result<std::optional<std::string>>> texts(pending.size(), std::optional<std::string>());
  auto read = [&](std::size_t i, const vcs::TreeFiles& tree) { texts[i] = tree.read(lock_path); };
  if (pending.size() == 2 && !reader_) {
    if (auto opened = vcs::Repository::open(repo_->git_dir())) reader_.emplace(std::move(*opened));
  }
  std::optional<vcs::TreeFiles> second;
  if (pending.size() == 2 && reader_) {
    if (auto tree = vcs::TreeFiles::at_commit(*reader_, pending[1].commit)) second.emplace(std::move(*tree));
  }
  if (second) {
    std::thread beside([&] { read(1, *second); });
    read(0, *pending[0].tree);
    beside.join();
  } else {
    for (std::size_t i = 0; i < pending.size(); ++i) read(i, *pending[i].tree);
  }
  std::vector<Pending> readable;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    auto& text = texts[i];
    // A partial clone lacks the blobs of old commits: fetch it, as git would.
    if (!text && text.error().kind == ErrorKind::not_found && fetch_blobs_ && fetch_blobs_({p.blob})) {
      text = p.tree->read(lock_path);
    }
    if (text && *text) {
      p.text = std::move(**text);
      readable.push_back(std::move(p));
    } else {
      fail_parse(*p.parsed, lock_path,
                 text ? fmt::format("{} at {}: not a file", lock_path, p.short_commit) : text.error().message);
    }
  }
  pending = std::move(readable);
}

void LockfileJudge::fail_parse(Parsed& parsed, const std::string& lock_path, std::string error) {
  parsed.error = std::move(error);
  warnings_.push_back(
      fmt::format("{}; counting {} as changed for every service that has it", parsed.error, lock_path));
}

void LockfileJudge::parse_pending(const std::string& lock_path, std::vector<Pending>& pending) {
  if (pending.empty()) return;
  // The commits' texts together: one parallel pass over the groups of all
  // of them, most of which they share.
  std::vector<lockfile::Parser::Input> inputs;
  for (const Pending& p : pending) inputs.push_back({lock_path, p.text, p.tree});
  auto results = parser_->parse_all(inputs);
  parse_count_ += pending.size();
  for (std::size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    if (results[i]) {
      p.parsed->lockfile = std::move(*results[i]);
      if (store_) store_->store(std::string(kStorePrefix) + p.blob, lockfile::encode(*p.parsed->lockfile));
    } else {
      fail_parse(*p.parsed, lock_path, fmt::format("{} (at {})", results[i].error().message, p.short_commit));
    }
  }
}

bool LockfileJudge::read_pair(PairRecord& pair) {
  if (!pair.before) {
    const std::string& lock_path = pair.lock_path;
    std::vector<Pending> pending;
    auto before_blob = blob_at(lock_path, pair.base);
    auto after_blob = blob_at(lock_path, pair.head);
    pair.before = lockfile_at(pair.base, *before_blob, pending);
    pair.after = lockfile_at(pair.head, *after_blob, pending);
    read_pending(lock_path, pending);
    parse_pending(lock_path, pending);
  }
  return pair.before->lockfile && pair.after->lockfile;
}

std::string LockfileJudge::pair_key(const std::string& lock_path, const std::string& before_blob,
                                    const std::string& after_blob) {
  return fmt::format("{}{}/{}/{:016x}", kPairPrefix, before_blob, after_blob,
                     XXH3_64bits(lock_path.data(), lock_path.size()));
}

LockfileJudge::PairRecord* LockfileJudge::known_pair(const std::string& key) {
  auto it = pairs_.find(key);
  if (it != pairs_.end()) return it->second.get();
  if (!store_) return nullptr;
  auto bytes = store_->load(key);
  auto pair = std::make_unique<PairRecord>();
  if (!bytes || !pair->decode(*bytes)) return nullptr;
  return pairs_.emplace(key, std::move(pair)).first->second.get();
}

void LockfileJudge::prefetch(const std::vector<std::string>& lock_paths, const std::vector<vcs::ObjectId>& bases,
                             const vcs::ObjectId& head) {
  std::lock_guard lock(mutex_);
  if (!repo_ || !fetch_blobs_) return;
  std::set<std::string> wanted;
  for (const std::string& lock_path : lock_paths) {
    std::optional<std::string> after = blob_at(lock_path, head);
    if (!after) continue;
    for (const vcs::ObjectId& base : bases) {
      std::optional<std::string> before = blob_at(lock_path, base);
      if (!before || *before == *after || known_pair(pair_key(lock_path, *before, *after))) continue;
      for (const std::string* blob : {&*before, &*after}) {
        if (!wanted.contains(*blob) && !repo_->has_object(*blob) && !known_lockfile(*blob)) wanted.insert(*blob);
      }
    }
  }
  if (!wanted.empty()) fetch_blobs_(std::vector<std::string>(wanted.begin(), wanted.end()));
}

LockfileJudge::PairRecord& LockfileJudge::pair_of(const std::string& lock_path, const std::string& before_blob,
                                                  const std::string& after_blob, const vcs::ObjectId& base,
                                                  const vcs::ObjectId& head) {
  std::string key = pair_key(lock_path, before_blob, after_blob);
  if (PairRecord* known = known_pair(key)) {
    if (known->lock_path.empty()) {  // kept in the store: where to read the lockfiles if a verdict is missing
      known->lock_path = lock_path;
      known->base = base;
      known->head = head;
    }
    return *known;
  }
  PairRecord& pair = *pairs_.emplace(key, std::make_unique<PairRecord>()).first->second;
  pair.lock_path = lock_path;
  pair.base = base;
  pair.head = head;
  if (!read_pair(pair)) {
    pair.readable = false;  // not kept: the next run warns again
    return pair;
  }
  const lockfile::Lockfile& before = *pair.before->lockfile;
  const lockfile::Lockfile& after = *pair.after->lockfile;
  pair.settings_changed = !lockfile::same_settings(before, after);
  const std::string_view lock_dir = dir_of(lock_path);
  for (const lockfile::Lockfile* lockfile : {&before, &after}) {
    for (const auto& dir : lockfile::importers(*lockfile)) pair.manifests.emplace_back(manifest_of(lock_dir, dir), dir);
  }
  std::sort(pair.manifests.begin(), pair.manifests.end());
  pair.manifests.erase(std::unique(pair.manifests.begin(), pair.manifests.end()), pair.manifests.end());
  pair.dirty = true;
  return pair;
}

LockfileVerdict LockfileJudge::judge(const graph::Service& service, const std::string& lock_path,
                                     const vcs::ObjectId& base, const vcs::ObjectId& head) {
  std::lock_guard lock(mutex_);
  if (!repo_) return {true, ""};
  // Services that share a base share its blobs' lookup (with --since, all).
  std::string commits = lock_path;
  commits.append(reinterpret_cast<const char*>(base.raw.id), GIT_OID_RAWSZ);
  commits.append(reinterpret_cast<const char*>(head.raw.id), GIT_OID_RAWSZ);
  auto [slot, fresh] = by_commits_.try_emplace(std::move(commits));
  if (fresh) {
    std::optional<std::string> before_blob = blob_at(lock_path, base);
    std::optional<std::string> after_blob = blob_at(lock_path, head);
    if (before_blob && after_blob) {
      slot->second.pair = &pair_of(lock_path, *before_blob, *after_blob, base, head);
    } else {
      slot->second.verdict = {true, before_blob ? "lockfile removed" : after_blob ? "lockfile added" : ""};
    }
  }
  if (!slot->second.pair) return slot->second.verdict;
  PairRecord& pair = *slot->second.pair;
  if (!pair.readable) return {true, "lockfile unreadable"};
  if (pair.settings_changed) return {true, "lockfile: settings changed"};

  // The service's importers: the workspace root's (its tooling builds every
  // service) and those whose package.json the service has as an input of its
  // own or through a package. Without one of those the lockfile cannot say
  // what the service uses, so any change counts.
  // Only the manifests below an input's root can match it: looked up in the
  // sorted manifests of both lockfiles, not tried one by one (700 importers
  // times 500 services was most of a plan).
  const auto& manifests = pair.manifests;
  std::set<std::string> found;
  for (const graph::Input& input : service.inputs) {
    if (input.kind == graph::InputKind::workspace) continue;
    const std::string_view root = input.pattern().root();
    for (auto it = std::lower_bound(manifests.begin(), manifests.end(), root,
                                    [](const auto& m, std::string_view r) { return m.first < r; });
         it != manifests.end() && graph::is_at_or_below(it->first, root); ++it) {
      if (found.contains(it->second)) continue;
      const graph::Input* covering = graph::Graph::covering_input(service, it->first);
      if (covering && covering->kind != graph::InputKind::workspace) found.insert(it->second);
    }
  }
  if (found.empty()) return {true, "lockfile: no importer of its own in it"};
  std::vector<std::string> dirs{"."};
  for (const auto& dir : found) {
    if (dir != ".") dirs.push_back(dir);
  }
  return compare(pair, dirs);
}

LockfileVerdict LockfileJudge::compare(PairRecord& pair, const std::vector<std::string>& dirs) {
  std::string key;
  for (const auto& dir : dirs) key += dir + '\n';
  auto known = pair.verdicts.find(key);
  if (known != pair.verdicts.end()) return known->second;
  // A record from the store that lacks this importer set: read the lockfiles now.
  if (!read_pair(pair)) return {true, "lockfile unreadable"};
  const lockfile::Lockfile& before = *pair.before->lockfile;
  const lockfile::Lockfile& after = *pair.after->lockfile;
  // When each importer reaches what it reached before, so does the service
  // (a union of equal sets): the usual case, answered from one pass over
  // the graphs without building the service's own closure.
  if (!pair.unchanged) pair.unchanged = unchanged_importers(before, after);
  LockfileVerdict verdict{false, ""};
  if (!std::all_of(dirs.begin(), dirs.end(), [&](const std::string& dir) { return pair.unchanged->contains(dir); })) {
    const lockfile::Closure& old_closure = pair.before->closure_of(dirs, key);
    const lockfile::Closure& new_closure = pair.after->closure_of(dirs, key);
    if (old_closure.digest != new_closure.digest) {
      verdict = {true, "lockfile: " + lockfile::describe_changes(before, old_closure, after, new_closure)};
    }
  }
  pair.verdicts.emplace(key, verdict);
  pair.dirty = true;
  return verdict;
}

void LockfileJudge::save() {
  std::lock_guard lock(mutex_);
  if (!store_) return;
  for (auto& [key, pair] : pairs_) {
    if (!pair->dirty || !pair->readable) continue;
    store_->store(key, pair->encode());
    pair->dirty = false;
  }
}

std::vector<std::string> LockfileJudge::warnings() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> sorted = warnings_;
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

std::size_t LockfileJudge::parsed() const {
  std::lock_guard lock(mutex_);
  return parse_count_;
}

std::size_t LockfileJudge::read() const {
  std::lock_guard lock(mutex_);
  return read_count_;
}

}  // namespace wharf::plan
