// The files of one snapshot of a repository, read-only: a commit's tree (see
// vcs/tree_files.h) or, in tests, a map in memory. What infers a config from
// a repository and what reads lockfiles at two commits see; neither needs a
// checkout.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace wharf::fs {

class SourceTree {
 public:
  virtual ~SourceTree() = default;
  // The bytes of the file at `path` (relative, '/'-separated), or nullopt
  // when there is no file there. ErrorKind::not_found when the path is in
  // the tree but its contents are not here (a blob a partial clone left
  // out); other errors for damage.
  virtual Result<std::optional<std::string>> read(std::string_view path) const = 0;
  // Every file's path (symlinks included, directories not), sorted bytewise.
  virtual Result<std::vector<std::string>> files() const = 0;
};

// A SourceTree of the files given: path -> contents.
class MemorySourceTree : public SourceTree {
 public:
  MemorySourceTree() = default;
  explicit MemorySourceTree(std::map<std::string, std::string> files) : files_(std::move(files)) {}
  void put(std::string path, std::string contents) { files_[std::move(path)] = std::move(contents); }

  Result<std::optional<std::string>> read(std::string_view path) const override {
    auto it = files_.find(std::string(path));
    if (it == files_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<std::vector<std::string>> files() const override {
    std::vector<std::string> paths;
    for (const auto& [path, _] : files_) paths.push_back(path);
    return paths;
  }

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace wharf::fs
