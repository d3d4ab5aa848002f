// Writing an OCI image layout directory (oci-layout, index.json,
// blobs/sha256/) straight from packed layers: compose_image, the blobs it
// made written beside the layout, export_layout. `wharf build` does the same
// through the cache's blob store instead; this is for callers without one
// (tests, benchmarks). skopeo copies the result to a registry (`skopeo copy
// oci:DIR:TAG docker://...`).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "fs/file_system.h"
#include "packer/base_image.h"
#include "packer/image_compose.h"
#include "packer/image_config.h"
#include "packer/layer_packer.h"
#include "util/error.h"

namespace wharf::packer {

struct WrittenImage {
  std::string manifest_digest;  // "sha256:...": the image's identity (what a registry reports)
  std::uint64_t manifest_size = 0;
  std::string config_digest;
  std::string out_dir;
};

// Writes the layout for `tag` into `out_dir`, replacing what was there as a
// whole (export_layout). Deterministic: the same base, layers, config and
// tag give the same bytes, hence the same manifest digest. Errors:
// compose_image's and export_layout's.
Result<WrittenImage> write_image_layout(fs::FileSystem& fs, const BaseImageRef& base, std::span<const NewLayer> layers,
                                        const ImageConfig& config, const std::string& tag, const std::string& out_dir);

}  // namespace wharf::packer
