#include "vcs/staged.h"

#include <algorithm>
#include <map>
#include <span>
#include <string_view>

#include <fmt/format.h>

namespace wharf::vcs {
namespace {

std::string join(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  return fmt::format("{}/{}", dir, name);
}

class StagedDiff {
 public:
  StagedDiff(const Repository& repo, const CacheTree& cache_tree, std::vector<std::string>& out)
      : repo_(repo), cache_tree_(cache_tree), out_(out) {}

  // Compares directory `dir` of HEAD (`head`, null when HEAD has none) with
  // the index entries below it (`entries`, sorted, every one below `dir`).
  Result<void> diff_dir(const std::string& dir, const git_tree* head, std::span<const IndexEntry> entries) {
    if (head) {
      const git_oid* cached = cache_tree_.valid_id(dir);
      if (cached && git_oid_equal(cached, git_tree_id(head))) return ok();
    }
    const std::size_t skip = dir.empty() ? 0 : dir.size() + 1;
    // The index's side of this directory: a file entry or the run of
    // entries under a subdirectory, by name (runs are contiguous in path order).
    struct Side {
      const IndexEntry* file = nullptr;
      std::span<const IndexEntry> below;
    };
    std::map<std::string_view, Side> index_side;
    for (std::size_t i = 0; i < entries.size();) {
      std::string_view rest = std::string_view(entries[i].path).substr(skip);
      std::size_t slash = rest.find('/');
      if (slash == std::string_view::npos) {
        index_side[rest].file = &entries[i];
        ++i;
        continue;
      }
      std::string_view name = rest.substr(0, slash);
      std::size_t j = i + 1;
      while (j < entries.size()) {
        std::string_view other = std::string_view(entries[j].path).substr(skip);
        if (other.size() <= slash || other.compare(0, slash + 1, rest.substr(0, slash + 1)) != 0) break;
        ++j;
      }
      index_side[name].below = entries.subspan(i, j - i);
      i = j;
    }
    const std::size_t count = head ? git_tree_entrycount(head) : 0;
    for (std::size_t k = 0; k < count; ++k) {
      const git_tree_entry* entry = git_tree_entry_byindex(head, k);
      std::string_view name = git_tree_entry_name(entry);
      auto found = index_side.find(name);
      Side side = found == index_side.end() ? Side{} : found->second;
      if (found != index_side.end()) index_side.erase(found);
      std::string path = join(dir, name);
      if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
        auto subtree = repo_.lookup_tree(*git_tree_entry_id(entry));
        if (!subtree) return std::unexpected(subtree.error());
        if (side.file) report(*side.file);
        if (auto done = diff_dir(path, subtree->get(), side.below); !done) return done;
        continue;
      }
      // A blob or a submodule commit at this name in HEAD.
      if (side.file) {
        if (!git_oid_equal(&side.file->id, git_tree_entry_id(entry)) ||
            side.file->mode != static_cast<std::uint32_t>(git_tree_entry_filemode(entry))) {
          report(*side.file);
        }
      } else {
        out_.push_back(path);  // deleted from the index
      }
      if (!side.below.empty()) {
        if (auto done = diff_dir(path, nullptr, side.below); !done) return done;
      }
    }
    // What HEAD does not have here: added.
    for (const auto& [name, side] : index_side) {
      if (side.file) report(*side.file);
      for (const IndexEntry& e : side.below) report(e);
    }
    return ok();
  }

 private:
  void report(const IndexEntry& entry) {
    if (!entry.conflicted && !entry.intent_to_add) out_.push_back(entry.path);
  }

  const Repository& repo_;
  const CacheTree& cache_tree_;
  std::vector<std::string>& out_;
};

}  // namespace

Result<std::vector<std::string>> staged_paths(const Repository& repo, const Index& recorded) {
  std::vector<std::string> out;
  StagedDiff diff(repo, recorded.cache_tree(), out);
  TreePtr head_tree;
  auto head = repo.resolve_commit("HEAD");
  if (!head && head.error().failure != ResolveFailure::not_found) {
    return fail(ErrorKind::repository, fmt::format("cannot resolve HEAD: {}", head.error().message));
  }
  if (head) {
    auto tree = repo.commit_tree(*head);
    if (!tree) return std::unexpected(tree.error());
    head_tree = std::move(*tree);
  }
  // No HEAD (an unborn branch): everything in the index is staged.
  if (auto done = diff.diff_dir("", head_tree.get(), recorded.entries()); !done) return std::unexpected(done.error());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace wharf::vcs
