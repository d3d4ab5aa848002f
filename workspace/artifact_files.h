// Which files of the work tree go into an artifact, and under which names:
// a service's `from -> to` mappings (graph/artifact_spec.h) resolved against
// the disk, by the rule the key follows: what git tracks or would track (not
// ignored), plus the declared build outputs, plus what a mapping names
// exactly. So `from = "node_modules"` (ignored, named) is packed whole, while
// `from = "services/api"` leaves out the ignored `.env.local` inside it.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "fs/file_system.h"
#include "graph/artifact_spec.h"
#include "packer/pack_entry.h"
#include "util/error.h"

namespace wharf::workspace {

struct FileUniverse {
  const fs::FileSystem* fs = nullptr;            // rooted at the work tree: paths are repository-relative
  std::span<const std::string> tracked;          // the git index's paths, sorted
  std::span<const graph::PatternEntry> outputs;  // the service's declared outputs
  std::function<Result<bool>(const std::string& path)> is_ignored;  // null: nothing is
  std::vector<std::string> skip_dirs;  // never walked: ".git", the cache and output directories
};

// The entries of `mappings`, not yet ordered (the packer orders and checks
// them). ErrorKind::config naming the mapping's file:line:col when a `from`
// matches nothing; ErrorKind::usage naming the file when a symlink points
// outside the repository; ErrorKind::io from the disk. The same archive name
// from two mappings is left to the packer, which names both sources.
Result<packer::EntryList> resolve_mappings(const FileUniverse& universe, std::span<const graph::FileMapping> mappings,
                                           std::string_view service);

// Checks that each declared output exists after the build: ErrorKind::not_found
// naming the output, its file:line:col and the service.
Result<void> check_outputs(const fs::FileSystem& fs, std::span<const graph::PatternEntry> outputs,
                           std::string_view service);

}  // namespace wharf::workspace
