// The files of a git tree as an fs::SourceTree: read through libgit2, no
// checkout needed (works in a bare or a partial clone).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/source_tree.h"
#include "vcs/repository.h"

namespace wharf::vcs {

class TreeFiles : public fs::SourceTree {
 public:
  // `what` names the tree in messages ("HEAD", a short SHA).
  TreeFiles(const Repository& repo, TreePtr tree, std::string what)
      : repo_(repo), tree_(std::move(tree)), what_(std::move(what)) {}

  // The tree of `commit`.
  static Result<TreeFiles> at_commit(const Repository& repo, const ObjectId& commit);

  Result<std::optional<std::string>> read(std::string_view path) const override;
  Result<std::vector<std::string>> files() const override;

  // The blob id (40 hex digits) of the file at `path`, or nullopt when there
  // is no file there; cheap (no blob is read): a key for what is parsed from it.
  std::optional<std::string> blob_id(std::string_view path) const;

  git_tree* tree() const { return tree_.get(); }

 private:
  const Repository& repo_;
  TreePtr tree_;
  std::string what_;
};

}  // namespace wharf::vcs
