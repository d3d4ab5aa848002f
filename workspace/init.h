// `wharf init`: wharf.toml inferred from what the repository declares (see
// infer/infer.h), at a commit read through libgit2, so it works in a bare
// clone too. The inferred tables live in a marked block of wharf.toml
// (infer/block.h); everything outside the block is the user's: never
// rewritten, and a table defined there is left out of the block.
#pragma once

#include <string>

#include "fs/file_system.h"
#include "workspace/host.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

enum class InitMode {
  print,  // stdout: the block (a whole wharf.toml when there is none yet)
  write,  // create wharf.toml, or replace only its block (append one when it has none)
  check,  // exit 1 and show the difference when the block is not what would be inferred
};

struct InitRequest {
  std::string rev = "HEAD";  // the commit to infer from
  InitMode mode = InitMode::print;
};

struct InitResult {
  std::string output;   // for stdout
  std::string summary;  // one line for stderr: what was written or found
  int exit_code = 0;    // 1: --check found a difference
};

// The config file is --config (relative to -C's directory) or wharf.toml at
// the work tree's root, read from disk through `files`; in a bare
// repository, wharf.toml (or --config, repository-relative) at `rev`, and
// `write` is a usage error. Warnings (files that did not parse, guesses)
// go to host.warn. A text that does not load with the block in it
// (graph::parse_config + Graph::build) is an error for `write` (nothing is
// written) and a warning otherwise.
Result<InitResult> run_init(const Options& options, const Host& host, fs::FileSystem& files, const InitRequest& request);

}  // namespace wharf::workspace
