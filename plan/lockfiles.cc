#include "plan/lockfiles.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lockfile/lockfile.h"

namespace wharf::plan {

namespace {

constexpr std::string_view kStorePrefix = "lockfile/";

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

}  // namespace

struct LockfileJudge::Parsed {
  std::optional<lockfile::Lockfile> lockfile;
  std::string error;  // why there is no lockfile
  // Closures by importer set ("a\nb\n"): services that share importers (a
  // package's) share the work, and the index shares each importer's own part.
  std::unique_ptr<lockfile::ClosureIndex> index;
  std::map<std::string, lockfile::Closure> closures;

  const lockfile::Closure& closure_of(const std::vector<std::string>& dirs) {
    std::string key;
    for (const auto& dir : dirs) key += dir + '\n';
    auto it = closures.find(key);
    if (it == closures.end()) {
      if (!index) index = std::make_unique<lockfile::ClosureIndex>(*lockfile);
      it = closures.emplace(key, index->closure(dirs)).first;
    }
    return it->second;
  }
};

bool is_lockfile(std::string_view path) { return lockfile::format_for_path(path).has_value(); }

LockfileJudge::LockfileJudge(const vcs::Repository& repo, ParsedStore* store,
                             std::function<bool(const std::string& blob_id)> fetch_blob)
    : store_(store), parser_(std::make_unique<lockfile::Parser>()), fetch_blob_(std::move(fetch_blob)) {
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

LockfileJudge::Parsed* LockfileJudge::lockfile_at(const std::string& lock_path, const vcs::ObjectId& commit,
                                                  std::vector<Pending>& pending) {
  const vcs::TreeFiles* tree = tree_at(commit);
  if (!tree) return nullptr;
  std::optional<std::string> blob = tree->blob_id(lock_path);
  if (!blob) return nullptr;
  auto it = parsed_.find(*blob);
  if (it != parsed_.end()) return it->second.get();
  Parsed* parsed = parsed_.emplace(*blob, std::make_unique<Parsed>()).first->second.get();
  if (store_) {
    if (auto bytes = store_->load(std::string(kStorePrefix) + *blob)) parsed->lockfile = lockfile::decode(*bytes);
    if (parsed->lockfile) return parsed;
  }
  auto text = tree->read(lock_path);
  // A partial clone lacks the blobs of old commits: fetch it, as git would.
  if (!text && text.error().kind == ErrorKind::not_found && fetch_blob_ && fetch_blob_(*blob)) {
    text = tree->read(lock_path);
  }
  if (text && *text) {
    pending.push_back(Pending{parsed, std::move(**text), tree, *blob, commit.short_hex()});
    return parsed;
  }
  fail_parse(*parsed, lock_path,
             text ? fmt::format("{} at {}: not a file", lock_path, commit.short_hex()) : text.error().message);
  return parsed;
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
      fail_parse(*p.parsed, lock_path, fmt::format("{} (at {})", results[i].error().message, p.commit));
    }
  }
}

LockfileVerdict LockfileJudge::judge(const graph::Service& service, const std::string& lock_path,
                                     const vcs::ObjectId& base, const vcs::ObjectId& head) {
  std::lock_guard lock(mutex_);
  if (!repo_) return {true, ""};
  std::vector<Pending> pending;
  Parsed* before = lockfile_at(lock_path, base, pending);
  Parsed* after = lockfile_at(lock_path, head, pending);
  parse_pending(lock_path, pending);
  if (!before || !after) return {true, before ? "lockfile removed" : after ? "lockfile added" : ""};
  if (!before->lockfile || !after->lockfile) return {true, "lockfile unreadable"};
  if (!lockfile::same_settings(*before->lockfile, *after->lockfile)) return {true, "lockfile: settings changed"};

  // The service's importers: the workspace root's (its tooling builds every
  // service) and those whose package.json the service has as an input of its
  // own or through a package. Without one of those the lockfile cannot say
  // what the service uses, so any change counts.
  const std::string_view lock_dir = dir_of(lock_path);
  std::set<std::string> candidates;
  for (const auto& dir : lockfile::importers(*before->lockfile)) candidates.insert(dir);
  for (const auto& dir : lockfile::importers(*after->lockfile)) candidates.insert(dir);
  std::vector<std::string> dirs;
  bool own = false;
  for (const auto& dir : candidates) {
    if (dir == ".") {
      dirs.push_back(dir);
      continue;
    }
    const graph::Input* input = graph::Graph::covering_input(service, manifest_of(lock_dir, dir));
    if (!input || input->kind == graph::InputKind::workspace) continue;
    dirs.push_back(dir);
    own = true;
  }
  if (!own) return {true, "lockfile: no importer of its own in it"};
  const lockfile::Closure& old_closure = before->closure_of(dirs);
  const lockfile::Closure& new_closure = after->closure_of(dirs);
  if (old_closure.digest == new_closure.digest) return {false, ""};
  return {true, "lockfile: " + lockfile::describe_changes(*before->lockfile, old_closure, *after->lockfile, new_closure)};
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

}  // namespace wharf::plan
