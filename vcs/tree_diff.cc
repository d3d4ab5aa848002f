#include "vcs/tree_diff.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace wharf::vcs {
namespace {

bool is_tree(const git_tree_entry* entry) { return git_tree_entry_type(entry) == GIT_OBJECT_TREE; }

// git's tree order: names compare bytewise as if a tree's name ended in '/'.
int compare_entries(const git_tree_entry* a, const git_tree_entry* b) {
  const char* na = git_tree_entry_name(a);
  const char* nb = git_tree_entry_name(b);
  std::size_t la = std::strlen(na), lb = std::strlen(nb);
  std::size_t n = std::min(la, lb);
  if (int c = std::memcmp(na, nb, n); c != 0) return c;
  unsigned char ca = la > n ? static_cast<unsigned char>(na[n]) : (is_tree(a) ? '/' : '\0');
  unsigned char cb = lb > n ? static_cast<unsigned char>(nb[n]) : (is_tree(b) ? '/' : '\0');
  return static_cast<int>(ca) - static_cast<int>(cb);
}

bool same_entry(const git_tree_entry* a, const git_tree_entry* b) {
  return git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) &&
         git_tree_entry_filemode(a) == git_tree_entry_filemode(b);
}

}  // namespace

Result<bool> TreeDiffer::list_entry(const git_tree_entry* entry, std::string& path, const Visit& visit) {
  if (!is_tree(entry)) return visit(path);
  auto tree = repo_.lookup_tree(*git_tree_entry_id(entry));
  if (!tree) return std::unexpected(tree.error());
  return list_all(tree->get(), path, visit);
}

Result<bool> TreeDiffer::list_all(git_tree* tree, std::string& prefix, const Visit& visit) {
  ++trees_walked_;
  const std::size_t count = git_tree_entrycount(tree);
  const std::size_t base = prefix.size();
  for (std::size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    ++entries_visited_;
    if (base) prefix += '/';
    prefix += git_tree_entry_name(entry);
    auto listed = list_entry(entry, prefix, visit);
    prefix.resize(base);
    if (!listed || *listed) return listed;
  }
  return false;
}

Result<bool> TreeDiffer::diff_trees(git_tree* a, git_tree* b, std::string& prefix, const Visit& visit) {
  ++trees_walked_;
  const std::size_t na = git_tree_entrycount(a), nb = git_tree_entrycount(b);
  const std::size_t base = prefix.size();
  std::size_t i = 0, j = 0;
  while (i < na || j < nb) {
    const git_tree_entry* ea = i < na ? git_tree_entry_byindex(a, i) : nullptr;
    const git_tree_entry* eb = j < nb ? git_tree_entry_byindex(b, j) : nullptr;
    int order = !ea ? 1 : !eb ? -1 : compare_entries(ea, eb);
    ++entries_visited_;
    if (order == 0 && same_entry(ea, eb)) {  // the common case: skip without building a path
      ++i;
      ++j;
      continue;
    }
    const git_tree_entry* named = order <= 0 ? ea : eb;
    if (base) prefix += '/';
    prefix += git_tree_entry_name(named);
    Result<bool> step = false;
    if (order < 0) {
      step = list_entry(ea, prefix, visit);  // only in the old tree: deleted
      ++i;
    } else if (order > 0) {
      step = list_entry(eb, prefix, visit);  // only in the new tree: added
      ++j;
    } else {
      if (is_tree(ea)) {  // equal order implies both are trees or both not
        auto ta = repo_.lookup_tree(*git_tree_entry_id(ea));
        auto tb = repo_.lookup_tree(*git_tree_entry_id(eb));
        if (!ta) return std::unexpected(ta.error());
        if (!tb) return std::unexpected(tb.error());
        step = diff_trees(ta->get(), tb->get(), prefix, visit);
      } else {
        step = visit(prefix);  // content, mode, symlink target or submodule pointer
      }
      ++i;
      ++j;
    }
    prefix.resize(base);
    if (!step || *step) return step;
  }
  return false;
}

Result<bool> TreeDiffer::diff_at_root(git_tree* old_tree, git_tree* new_tree, const git_tree_entry* old_entry,
                                      const git_tree_entry* new_entry, std::string_view root, const Visit& visit) {
  std::string prefix(root);
  if (root.empty()) {
    if (git_oid_equal(git_tree_id(old_tree), git_tree_id(new_tree))) return false;
    return diff_trees(old_tree, new_tree, prefix, visit);
  }
  if (old_entry && new_entry) {
    if (same_entry(old_entry, new_entry)) return false;
    if (is_tree(old_entry) && is_tree(new_entry)) {
      auto ta = repo_.lookup_tree(*git_tree_entry_id(old_entry));
      auto tb = repo_.lookup_tree(*git_tree_entry_id(new_entry));
      if (!ta) return std::unexpected(ta.error());
      if (!tb) return std::unexpected(tb.error());
      return diff_trees(ta->get(), tb->get(), prefix, visit);
    }
    // Two files (content, mode, link target or submodule pointer): the path.
    if (!is_tree(old_entry) && !is_tree(new_entry)) return visit(prefix);
    // A file became a directory or the reverse: everything on both sides.
    auto listed = list_entry(old_entry, prefix, visit);
    if (!listed || *listed) return listed;
    return list_entry(new_entry, prefix, visit);
  }
  if (old_entry || new_entry) return list_entry(old_entry ? old_entry : new_entry, prefix, visit);
  return false;
}

const git_tree_entry* TreeDiffer::entry_at(git_tree* tree, std::string_view path) {
  // Each level's tree stays referenced in subtrees_, so the entries returned
  // (owned by their parent tree) live as long as this differ.
  git_tree* current = tree;
  std::size_t start = 0;
  char segment[512];
  while (true) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::size_t length = end - start;
    if (length == 0 || length >= sizeof(segment)) return nullptr;
    path.copy(segment, length, start);
    segment[length] = '\0';
    const git_tree_entry* entry = git_tree_entry_byname(current, segment);
    if (!entry || end == path.size()) return entry;
    if (!is_tree(entry)) return nullptr;
    const git_oid* id = git_tree_entry_id(entry);
    auto it = subtrees_.find(*id);
    if (it == subtrees_.end()) {
      auto sub = repo_.lookup_tree(*id);
      if (!sub) return nullptr;
      it = subtrees_.emplace(*id, std::move(*sub)).first;
    }
    current = it->second.get();
    start = end + 1;
  }
}

Result<bool> TreeDiffer::visit_changes(git_tree* old_tree, git_tree* new_tree, std::string_view root,
                                       const Visit& visit) {
  const git_tree_entry* old_entry = nullptr;
  const git_tree_entry* new_entry = nullptr;
  if (!root.empty()) {
    old_entry = entry_at(old_tree, root);
    new_entry = entry_at(new_tree, root);
  }
  return diff_at_root(old_tree, new_tree, old_entry, new_entry, root, visit);
}

Result<bool> TreeDiffer::find_path(git_tree* tree, std::string_view root, const Visit& visit) {
  std::string prefix(root);
  if (root.empty()) return list_all(tree, prefix, visit);
  const git_tree_entry* entry = entry_at(tree, root);
  if (!entry) return false;
  return list_entry(entry, prefix, visit);
}

}  // namespace wharf::vcs
