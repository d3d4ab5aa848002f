// Reading a file entry's bytes at pack time, with the torn-read check: a file
// that a still-running build rewrites while wharf packs it must fail the
// pack, not produce an artifact mixing two versions.
#pragma once

#include <string>
#include <string_view>

#include "fs/file_system.h"
#include "packer/pack_entry.h"
#include "util/error.h"

namespace wharf::packer {

// The contents of a file entry: its bytes, or the file read into `buffer`.
// The file is lstat'ed before and after the read; ErrorKind::io, naming the
// file and the archive entry, if it is not a regular file, vanished, or its
// size or mtime moved (or the read length differs from the size).
Result<std::string_view> read_entry(const fs::FileSystem& fs, const PackEntry& entry, std::string& buffer);

}  // namespace wharf::packer
