// The readers of each format, for lockfile.cc's parse(). Each gives a
// Lockfile through LockfileBuilder (builder.h) or an error naming the file.
#pragma once

#include <memory>
#include <span>
#include <vector>
#include <string_view>

#include "fs/source_tree.h"
#include "lockfile/lockfile.h"

namespace wharf::lockfile::detail {

// pnpm_lock.cc: several texts at once (their groups parsed in one parallel
// pass, then each assembled in parallel); a result for each, in order.
struct PnpmText {
  std::string_view file;
  std::string_view text;
};
std::vector<Result<Lockfile>> parse_pnpm_all(std::span<const PnpmText> texts, PnpmStrategy strategy,
                                             Parser::GroupCache& cache, Parser::Stats& stats);
// npm_lock.cc
Result<Lockfile> parse_npm(std::string_view file, std::string_view text);
// yarn_classic.cc: `dir` is the lockfile's directory ("" for the root), where
// the root package.json with `workspaces` is read from `tree`.
Result<Lockfile> parse_yarn_classic(std::string_view file, std::string_view text, std::string_view dir,
                                    const fs::SourceTree& tree);
// yarn_berry.cc
Result<Lockfile> parse_yarn_berry(std::string_view file, std::string_view text);
// Whether a yarn.lock is berry's (YAML with `__metadata`).
bool is_yarn_berry(std::string_view text);

}  // namespace wharf::lockfile::detail
