// Checks an entry list and puts it in the one order both packers write:
// the validation is where the safety rules of issue 13 live (no name that
// could write outside the directory it is unpacked into), and the order is
// what makes the bytes independent of how the caller found the files.
#pragma once

#include "packer/pack_entry.h"
#include "util/error.h"

namespace wharf::packer {

// Returns the entries sorted by archive path (byte order), each missing
// parent directory added, trailing slashes dropped. ErrorKind::usage, naming
// the entry (and its source file), when:
//   - a name is empty, absolute, has a NUL, an empty, "." or ".." component;
//   - two entries have the same name, or an entry lies under a file/symlink;
//   - a symlink target is empty, absolute, or leads above the archive root
//     from where the link sits (it would point outside the unpacked tree).
Result<EntryList> prepare_entries(EntryList entries);

// The source of an entry for messages: its file path, or "<bytes>".
std::string describe_source(const PackEntry& entry);

}  // namespace wharf::packer
