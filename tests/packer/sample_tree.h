// A small service tree on disk for the packer tests: text and binary files,
// an executable, a symlink, a nested directory, a non-ASCII name; and the
// entry list that maps it, as `wharf build` will.
#pragma once

#include <string>

#include "packer/pack_entry.h"

namespace wharf::testing {

// Writes the tree under `root` (created); `variant` changes the contents of
// src/handler.js only (a "code-only change").
void write_sample_tree(const std::string& root, int variant = 0);

// Every file, directory and symlink under `root`, mapped to `prefix` + its
// relative path (packer::entries_from_directory through a RealFileSystem).
packer::EntryList entries_for_tree(const std::string& root, const std::string& prefix = "");

// A whole file's bytes ("" when missing).
std::string slurp(const std::string& path);

}  // namespace wharf::testing
