// Writing an OCI image layout directory (oci-layout, index.json,
// blobs/sha256/): the base image's layers, then the new ones, a config and a
// manifest. skopeo copies it to a registry (`skopeo copy oci:DIR:TAG
// docker://...`), and wharf's pusher will.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "fs/file_system.h"
#include "packer/base_image.h"
#include "packer/image_config.h"
#include "packer/layer_packer.h"
#include "util/error.h"

namespace wharf::packer {

struct NewLayer {
  PackedLayer layer;       // from pack_layer: a file (hard-linked or copied in) or bytes
  std::string created_by;  // the history entry's text, e.g. "wharf: layer deps of api"
};

struct WrittenImage {
  std::string manifest_digest;  // "sha256:...": the image's identity (what a registry reports)
  std::uint64_t manifest_size = 0;
  std::string config_digest;
  std::string out_dir;
};

// Writes the layout for `tag` into `out_dir`, replacing what was there as a
// whole: the layout is built in a temporary directory beside it and swapped
// in with one rename (RENAME_EXCHANGE), so a reader sees the old layout or
// the new, never a mix. Deterministic: the same base, layers, config and tag
// give the same bytes, hence the same manifest digest. Errors: load_base's;
// ErrorKind::config for a bad tag or a base for another platform;
// ErrorKind::io from the file system.
Result<WrittenImage> write_image_layout(fs::FileSystem& fs, const BaseImageRef& base, std::span<const NewLayer> layers,
                                        const ImageConfig& config, const std::string& tag, const std::string& out_dir);

}  // namespace wharf::packer
