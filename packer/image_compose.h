// An image as documents and blob references, with nothing written: the
// manifest and config bytes, and where each layer's bytes are. `wharf build`
// stores these as blobs in the cache (content-addressed, as OCI is) and
// exports the layout from there (layout_export.h), so a base layer shared by
// many services is stored once and a cache hit needs no packing at all.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fs/file_system.h"
#include "packer/base_image.h"
#include "packer/image_config.h"
#include "packer/layer_packer.h"
#include "util/error.h"

namespace wharf::packer {

// An OCI descriptor: what a manifest says about one blob.
struct BlobDescriptor {
  std::string media_type;
  std::string digest;  // "sha256:<64 hex>"
  std::uint64_t size = 0;

  std::string hex() const { return digest.substr(digest.find(':') + 1); }
};

struct NewLayer {
  PackedLayer layer;       // from pack_layer: a file or bytes
  std::string created_by;  // the history entry's text, e.g. "wharf: layer deps of api"
};

struct ComposedImage {
  BlobDescriptor manifest;
  std::string manifest_json;  // the manifest blob's bytes (manifest.digest is their sha256)
  BlobDescriptor config;
  std::string config_json;             // the config blob's bytes
  std::vector<BlobDescriptor> layers;  // base layers first, then the new ones
  // Where each layer's bytes are now, parallel to `layers`: the base
  // layout's blob file, the packed layer file, or (import) the extracted or
  // layout blob. EMPTY for a new layer packed to memory: the caller stores
  // that layer's bytes (NewLayer::layer.blob.bytes) itself.
  std::vector<std::string> layer_paths;
};

// Everything an image layout holds except the index: the base's layers (as
// they are, never recompressed), the new layers, a config (image_json.h)
// and a manifest. Writes nothing. Deterministic: the same base, layers and
// config give the same manifest digest. Errors: load_base's;
// ErrorKind::config for a base of another platform or text that is not
// UTF-8; ErrorKind::corrupt for a base whose diff_ids do not match.
Result<ComposedImage> compose_image(const fs::FileSystem& fs, const BaseImageRef& base,
                                    std::span<const NewLayer> layers, const ImageConfig& config);

}  // namespace wharf::packer
