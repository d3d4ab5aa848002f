// A directory tree as entries: what a `from = "dist", to = "app/"` mapping
// with no patterns amounts to. (Globs, excludes and git-ignore rules are the
// mapping layer's job in `wharf build`; this is the plain walk under it.)
#pragma once

#include <string>

#include "fs/file_system.h"
#include "packer/pack_entry.h"
#include "util/error.h"

namespace wharf::packer {

// Every file, directory and symlink under `dir`, named `prefix` + its path
// relative to `dir` (prefix "" or ending in '/'). Files are read later, at
// pack time; the exec bit comes from the owner's x bit. Symlinks are kept as
// links (their targets are checked by prepare_entries). Errors: the file
// system's, naming the path.
Result<EntryList> entries_from_directory(const fs::FileSystem& fs, const std::string& dir, const std::string& prefix);

}  // namespace wharf::packer
