// Taking an image a build command wrote itself (`docker buildx build
// --output type=oci,dest=...`, `docker save`, buildah, kaniko, `nix build`)
// as a service's artifact, so teams with Dockerfiles get wharf's caching
// and export too. The result is a ComposedImage like compose_image's: the
// caller stores its manifest, config and layers as blobs, and exports the
// layout from them (layout_export.h).
#pragma once

#include <string>

#include "fs/file_system.h"
#include "packer/image_compose.h"
#include "packer/image_config.h"
#include "util/error.h"

namespace wharf::packer {

// `path` is one of:
//   - an OCI image layout directory: the manifest index.json names (through
//     nested indexes), the only one if there is one, else the one for
//     `platform` (attestation manifests are skipped); no ref.name needed.
//     Its bytes are kept as they are, so the digest is the builder's.
//   - an OCI archive: a tarball of such a layout (optionally compressed);
//   - a docker archive (`docker save`: manifest.json with Config and
//     Layers): converted to an OCI manifest whose layers are
//     application/vnd.oci.image.layer.v1.tar, or .tar+gzip / .tar+zstd when
//     their magic bytes say so, with the config blob as it is.
// Tarballs are extracted (tar_extract.h) into a new directory under
// `scratch_dir` (created if missing), which layer_paths then point into:
// the caller removes scratch_dir once the blobs are stored. Every blob is
// checked against its digest and size. Deterministic: the same input gives
// the same manifest digest. Errors name `path` and what is wrong:
// ErrorKind::not_found (no such path, a missing blob, no manifest for the
// platform), ErrorKind::corrupt (unreadable JSON, a digest or size that
// does not match, an unsafe tarball), ErrorKind::config (the image is for
// another platform), ErrorKind::io.
Result<ComposedImage> import_image(fs::FileSystem& fs, const std::string& path, const Platform& platform,
                                   const std::string& scratch_dir);

}  // namespace wharf::packer
