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
  // `store` may be null (no cache); `fetch_blobs`, when set, fetches
  // lockfile blobs that a partial clone lacks.
  using FetchBlobs = std::function<bool(const std::vector<std::string>& blob_ids)>;
  LockfileJudge(const vcs::Repository& repo, ParsedStore* store, FetchBlobs fetch_blobs = {});

  // Before the plan, in a partial clone: fetches in one call the blobs of
  // the lockfiles at `lock_paths` that judging `bases` against `head` will
  // read (pairs whose verdicts are not kept, blobs neither here nor kept
  // parsed). One pack instead of a fetch per blob: the versions of a
  // lockfile travel as deltas of each other. A blob missed here (a lockfile
  // a glob input matches) is still fetched when it is needed, by itself.
  void prefetch(const std::vector<std::string>& lock_paths, const std::vector<vcs::ObjectId>& bases,
                const vcs::ObjectId& head);
  ~LockfileJudge();

  // For `service`, whose input `lock_path` differs between the commits.
  LockfileVerdict judge(const graph::Service& service, const std::string& lock_path, const vcs::ObjectId& base,
                        const vcs::ObjectId& head);

  // Keeps what this run learnt in the store: for each pair of lockfile
  // blobs judged, the verdicts by importer set, so that the next run with
  // the same pair answers without reading either lockfile. Call once, after
  // the plan.
  void save();

  // Problems met (unparsable lockfiles, missing blobs), each once, sorted.
  std::vector<std::string> warnings() const;
  // Lockfiles parsed in this run (not found in the store), for tests and --stats.
  std::size_t parsed() const;
  // Lockfiles read in this run, parsed or decoded from the store: none when
  // every verdict was found in the store.
  std::size_t read() const;

  struct PairRecord;  // verdicts for one lockfile's blobs at a base and a head

 private:
  struct Parsed;  // one lockfile blob: the parse, or why it failed
  // A lockfile's blob to read and parse.
  struct Pending {
    Parsed* parsed;
    std::string text;
    const vcs::TreeFiles* tree;
    std::string blob;
    vcs::ObjectId commit;
    std::string short_commit;  // for messages
  };
  std::optional<std::string> blob_at(const std::string& lock_path, const vcs::ObjectId& commit);
  // The lockfile of `blob` read in this run or kept parsed in the store
  // (decoded); null when neither.
  Parsed* known_lockfile(const std::string& blob);
  // The lockfile in `commit` whose blob is `blob`. One that
  // is neither parsed yet nor in the store is added to `pending`, to be read
  // (read_pending) and parsed (parse_pending).
  Parsed* lockfile_at(const vcs::ObjectId& commit, const std::string& blob, std::vector<Pending>& pending);
  // Reads the texts; drops (with a warning) what cannot be read.
  void read_pending(const std::string& lock_path, std::vector<Pending>& pending);
  void parse_pending(const std::string& lock_path, std::vector<Pending>& pending);
  void fail_parse(Parsed& parsed, const std::string& lock_path, std::string error);
  // The record of a pair: from this run, from the store, or made by reading
  // both lockfiles.
  // The store's key of a pair's record.
  static std::string pair_key(const std::string& lock_path, const std::string& before_blob,
                              const std::string& after_blob);
  // The pair's record in this run, or kept in the store; null when neither.
  PairRecord* known_pair(const std::string& key);
  PairRecord& pair_of(const std::string& lock_path, const std::string& before_blob, const std::string& after_blob,
                      const vcs::ObjectId& base, const vcs::ObjectId& head);
  // Both lockfiles of a pair, parsed (or decoded); false when one is unreadable.
  bool read_pair(PairRecord& pair);
  LockfileVerdict compare(PairRecord& pair, const std::vector<std::string>& dirs);
  const vcs::TreeFiles* tree_at(const vcs::ObjectId& commit);

  mutable std::mutex mutex_;
  std::optional<vcs::Repository> repo_;  // its own handle: libgit2 objects stay on one thread at a time
  std::optional<vcs::Repository> reader_;  // a second, to read two blobs at once
  std::string open_error_;
  ParsedStore* store_;
  std::unique_ptr<lockfile::Parser> parser_;  // one for the run: two commits' lockfiles share most of their parse
  FetchBlobs fetch_blobs_;
  std::map<std::string, std::unique_ptr<vcs::TreeFiles>> trees_;  // by commit hex
  std::map<std::string, std::unique_ptr<Parsed>> parsed_;         // by blob id
  std::map<std::string, std::unique_ptr<PairRecord>> pairs_;      // by store key
  // A lockfile path at a base and a head (path, raw ids): its pair, or the
  // verdict when the lockfile is missing at either.
  struct AtCommits {
    PairRecord* pair = nullptr;
    LockfileVerdict verdict;
  };
  std::map<std::string, AtCommits> by_commits_;
  std::vector<std::string> warnings_;
  std::size_t parse_count_ = 0;
  std::size_t read_count_ = 0;
};

}  // namespace wharf::plan
