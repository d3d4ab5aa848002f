// Unpacking an image tarball (`docker save`, an OCI archive) with
// libarchive into a scratch directory, so its blobs can be read as files.
// The tarball comes from a build command, i.e. from code wharf does not
// control: nothing in it may land outside the directory.
#pragma once

#include <string>

#include "util/error.h"

namespace wharf::packer {

// Extracts `archive` (a tar, optionally gzip/zstd/xz-compressed) into `dir`,
// which must exist and be empty. Regular files and directories are
// written; hard links and symlinks become hard links to the file they name,
// which must be a regular file of the same archive (docker save links
// repeated layers so). ErrorKind::corrupt naming the archive and the entry
// for an absolute name, a ".." component, a link leading outside, a device
// or fifo, a name that appears twice, or a damaged archive; ErrorKind::io
// from the disk.
Result<void> extract_tar(const std::string& archive, const std::string& dir);

}  // namespace wharf::packer
