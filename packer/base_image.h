// The image new layers go on top of: nothing ("scratch") or an image in an
// OCI image layout on disk ("oci:DIR:TAG", as skopeo names it), e.g. one that
// `skopeo copy docker://node:20-slim oci:base:20` fetched. Its blobs are
// reused as they are, never recompressed, so its layer digests stay those
// the registry already has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fs/file_system.h"
#include "packer/image_config.h"
#include "util/error.h"

namespace wharf::packer {

struct BaseImageRef {
  std::string layout_dir;  // empty: scratch
  std::string tag;

  bool is_scratch() const { return layout_dir.empty(); }
};

// "scratch" or "oci:DIR:TAG" (DIR may not contain ':', as in skopeo); TAG
// may be a manifest digest, "sha256:<hex>".
// ErrorKind::config otherwise.
Result<BaseImageRef> parse_base_ref(const std::string& text);

struct BaseLayer {
  std::string media_type;
  std::string digest;  // "sha256:..."
  std::uint64_t size = 0;
  std::string blob_path;  // the blob in the base layout
};

struct LoadedBase {
  std::string config_json;  // the base's config blob ("" for scratch)
  std::vector<BaseLayer> layers;
};

// Reads index.json (the manifest whose org.opencontainers.image.ref.name is
// the tag; through an image index, the one for `platform`), the manifest and
// the config. Errors name the layout and tag: ErrorKind::not_found (no such
// tag, a missing blob), ErrorKind::corrupt (unreadable JSON, a blob whose
// size differs from its descriptor).
Result<LoadedBase> load_base(const fs::FileSystem& fs, const BaseImageRef& ref, const Platform& platform);

}  // namespace wharf::packer
