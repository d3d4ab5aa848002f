// Remembers, between runs, which config paths match nothing at a head tree
// (the "matches nothing at HEAD" warnings), so that plans of one config at
// one head check them once.
//
// Why: the check looks up every `paths` and `inputs` entry in the head tree
// and walks below each glob until something matches, ~2M instructions and
// ~0.3 ms of a 6 ms `wharf plan --since` on the benchmark repo (callgrind,
// --stats). The answer depends only on the config's bytes and the head tree,
// and runbooks plan one head against several environments in a row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fs/file_system.h"
#include "vcs/repository.h"

namespace wharf::plan {

// Indices into the plan's list of checked patterns (workspace inputs, package
// paths, service paths, each text once) of those that matched nothing.
using UnmatchedPatterns = std::vector<std::uint32_t>;

class PathCheckMemo {
 public:
  virtual ~PathCheckMemo() = default;
  // The unmatched patterns at `tree`, when this memo knows them.
  virtual std::optional<UnmatchedPatterns> recall(const vcs::ObjectId& tree) = 0;
  virtual void remember(const vcs::ObjectId& tree, const UnmatchedPatterns& unmatched) = 0;
};

// A memo of one (config, tree) answer in one small file, beside the config
// snapshot. A file for another config digest or tree, or one that is
// damaged, is not an answer; it is replaced (temporary file + rename, no
// fsync: a cache). Failing to write it is not reported.
class FilePathCheckMemo : public PathCheckMemo {
 public:
  // `config_digest`: graph::snapshot_digest of the config's bytes.
  FilePathCheckMemo(fs::FileSystem& files, std::string path, std::string config_digest)
      : files_(files), path_(std::move(path)), digest_(std::move(config_digest)) {}

  std::optional<UnmatchedPatterns> recall(const vcs::ObjectId& tree) override;
  void remember(const vcs::ObjectId& tree, const UnmatchedPatterns& unmatched) override;

  // The file's contents for `tree` and `unmatched` (tests).
  std::string encode(const vcs::ObjectId& tree, const UnmatchedPatterns& unmatched) const;

 private:
  fs::FileSystem& files_;
  std::string path_;
  std::string digest_;
};

}  // namespace wharf::plan
