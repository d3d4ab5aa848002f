// Lockfile-aware fan-out: whether a change of a workspace lockfile
// (pnpm-lock.yaml, package-lock.json, yarn.lock) between a service's base and
// head reaches that service. It does when the resolved external packages
// reachable from the service's own importers (the workspace packages whose
// package.json is among its inputs, and the ones they link to) differ by
// name, version or integrity, or when the lockfile's global settings
// (lockfileVersion, overrides, patches...) differ. A shell script has to
// redeploy everything on any lockfile change; Turborepo answers this for
// one base, wharf for each service's own base.
//
// Never a wrong skip: a lockfile that does not parse, whose blob is not in
// the clone, that was added or removed, or a service with no importer of its
// own in it, counts as changed for the service (with a warning for the first
// two).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "vcs/repository.h"
#include "vcs/tree_files.h"

namespace wharf::lockfile {
class Parser;
}

namespace wharf::plan {

// Parsed lockfiles kept between runs, by blob id (the LMDB cache; see
// workspace/). A store that loses or damages entries only costs a parse.
class ParsedStore {
 public:
  virtual ~ParsedStore() = default;
  virtual std::optional<std::string> load(std::string_view key) = 0;
  virtual void store(std::string_view key, std::string_view bytes) = 0;
};

// Whether `path` is a lockfile this module reads.
bool is_lockfile(std::string_view path);

struct LockfileVerdict {
  bool changed = true;
  std::string detail;  // for the plan's reason: "lockfile: react 18.2.0 -> 18.3.1"
};

// Thread-safe: the plan's workers ask it from several threads; lockfiles are
// read and parsed once per blob, closures once per blob and importer set.
class LockfileJudge {
 public:
  // `store` may be null (no cache); `fetch_blob`, when set, fetches a
  // lockfile's blob that a partial clone lacks.
  LockfileJudge(const vcs::Repository& repo, ParsedStore* store,
                std::function<bool(const std::string& blob_id)> fetch_blob = {});
  ~LockfileJudge();

  // For `service`, whose input `lock_path` differs between the commits.
  LockfileVerdict judge(const graph::Service& service, const std::string& lock_path, const vcs::ObjectId& base,
                        const vcs::ObjectId& head);

  // Problems met (unparsable lockfiles, missing blobs), each once, sorted.
  std::vector<std::string> warnings() const;
  // Lockfiles parsed in this run (not found in the store), for tests and --stats.
  std::size_t parsed() const;

 private:
  struct Parsed;  // one lockfile blob: the parse, or why it failed
  // The lockfile at `lock_path` in `commit`: null when absent; a Parsed with
  // an error when it could not be read or parsed.
  // A lockfile's blob whose text is read and waits to be parsed.
  struct Pending {
    Parsed* parsed;
    std::string text;
    const vcs::TreeFiles* tree;
    std::string blob;
    std::string commit;  // short, for messages
  };
  // The lockfile at `lock_path` in `commit`: null when absent. One that is
  // neither parsed yet nor in the store is added to `pending`.
  Parsed* lockfile_at(const std::string& lock_path, const vcs::ObjectId& commit, std::vector<Pending>& pending);
  void parse_pending(const std::string& lock_path, std::vector<Pending>& pending);
  void fail_parse(Parsed& parsed, const std::string& lock_path, std::string error);
  // (repository path of an importer's package.json, importer dir), sorted,
  // for the importers of a base's and a head's lockfile together.
  using Manifests = std::vector<std::pair<std::string, std::string>>;
  const Manifests& manifests_of(const std::string& lock_path, const Parsed& before, const Parsed& after);
  using Pair = std::pair<const Parsed*, const Parsed*>;  // a lockfile's blobs at a base and a head
  std::map<Pair, Manifests> manifests_;
  // Importers whose closure is surely unchanged between the two (see lockfiles.cc).
  const std::set<std::string>& unchanged_of(const Parsed& before, const Parsed& after);
  std::map<Pair, std::set<std::string>> unchanged_;
  const vcs::TreeFiles* tree_at(const vcs::ObjectId& commit);

  mutable std::mutex mutex_;
  std::optional<vcs::Repository> repo_;  // its own handle: libgit2 objects stay on one thread at a time
  std::string open_error_;
  ParsedStore* store_;
  std::unique_ptr<lockfile::Parser> parser_;  // one for the run: two commits' lockfiles share most of their parse
  std::function<bool(const std::string& blob_id)> fetch_blob_;
  std::map<std::string, std::unique_ptr<vcs::TreeFiles>> trees_;  // by commit hex
  std::map<std::string, std::unique_ptr<Parsed>> parsed_;         // by blob id
  std::vector<std::string> warnings_;
  std::size_t parse_count_ = 0;
};

}  // namespace wharf::plan
