// A direct reader of the git index file format (versions 2, 3 and 4), for the
// hot path of `wharf hash`. Why not only libgit2: git_repository_index() took
// 79 ms for a 70k-entry index (9 MB) on the bench repo (per-entry allocation,
// a case-folding hash map, SHA1DC over the file), against ~10 ms for git
// itself; that alone was a fifth of a warm `wharf hash`. The format is
// documented in git's Documentation/gitformat-index.txt. Anything this
// reader does not handle (a split or sparse index, an unknown version) makes
// it decline, and Index::read falls back to libgit2.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vcs/index.h"

namespace wharf::vcs {

// True when an index entry's mtime (sec, nsec as the index stores them) is
// at or after `ref`, the index file's mtime: git cannot tell such an entry
// from a file changed in the same instant ("racy").
bool not_older(std::uint32_t sec, std::uint32_t nsec, const timespec& ref);

// Parses a whole index file. `file_mtime` is the index file's mtime (entries
// not older than it are racy). Returns nullopt and says why in `declined`
// when the file is valid git but uses a feature this reader leaves to
// libgit2; returns an error when the file is damaged (bad signature, entries
// running past the end, checksum mismatch). The cache-tree extension goes to
// `cache_tree` when it is not null (left empty when there is none or it does
// not parse: it only saves work).
Result<std::optional<std::vector<IndexEntry>>> parse_index_file(std::string_view bytes, const timespec& file_mtime,
                                                                std::string* declined,
                                                                CacheTree* cache_tree = nullptr);

// The body of a "TREE" extension; nullopt when it does not parse.
std::optional<CacheTree> parse_cache_tree(std::string_view body);

}  // namespace wharf::vcs
