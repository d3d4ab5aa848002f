// Exporting from a content-addressed blob store: an OCI image layout built
// from a manifest blob and the blobs it names, or a single file (a zip).
// Blobs are hard-linked when the store is on the same file system (instant,
// no space), else copied; either way the output replaces the old one as a
// whole, so a reader sees the old artifact or the new, never a mix.
//
// A hard-linked export shares its bytes with the store: whoever edits an
// exported file in place edits the blob. OCI tools never do (they write new
// blobs); the store checks digests when it reads, so a damaged blob costs a
// rebuild, never a wrong artifact.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "fs/file_system.h"
#include "packer/image_compose.h"
#include "util/error.h"

namespace wharf::packer {

// Where the store keeps the blob with this sha256 (64 hex digits), e.g.
// Cache::blob_path. Called for every blob the manifest names.
using BlobPathFn = std::function<std::string(std::string_view hex)>;

// Writes the layout for `tag` into `out_dir` (oci-layout, index.json whose
// one entry has org.opencontainers.image.ref.name = tag and the platform of
// the config, blobs/sha256/*): reads the manifest blob, then links the
// config and every layer. Built in a directory beside out_dir and swapped in
// with one rename (RENAME_EXCHANGE). Errors: ErrorKind::config for a bad
// tag; ErrorKind::not_found naming the digest of a missing blob;
// ErrorKind::corrupt when the manifest or config bytes do not hash to their
// digest, a blob's size differs from its descriptor or the manifest is not
// an image manifest; ErrorKind::io from the file system.
Result<void> export_layout(fs::FileSystem& fs, const BlobDescriptor& manifest, const BlobPathFn& blob_path,
                           const std::string& tag, const std::string& out_dir);

// Puts `blob_file` at `out_path` (hard link, else copy), atomically
// replacing what was there. ErrorKind::not_found when blob_file is missing,
// ErrorKind::io otherwise.
Result<void> export_file(fs::FileSystem& fs, const std::string& blob_file, const std::string& out_path);

// The Docker/OCI tag grammar, [A-Za-z0-9_][A-Za-z0-9._-]{0,127};
// ErrorKind::config naming the tag otherwise.
Result<void> check_tag(const std::string& tag);

}  // namespace wharf::packer
