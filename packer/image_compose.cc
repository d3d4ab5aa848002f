#include "packer/image_compose.h"

#include <nlohmann/json.hpp>

#include "packer/image_json.h"
#include "packer/oci_media_types.h"

namespace wharf::packer {

Result<ComposedImage> compose_image(const fs::FileSystem& fs, const BaseImageRef& base,
                                    std::span<const NewLayer> layers, const ImageConfig& config) {
  auto loaded = load_base(fs, base, config.platform);
  if (!loaded) return std::unexpected(loaded.error());
  auto config_document = image_config_json(*loaded, layers, config);
  if (!config_document) return std::unexpected(config_document.error());

  ComposedImage image;
  for (const BaseLayer& layer : loaded->layers) {
    image.layers.push_back(BlobDescriptor{layer.media_type, layer.digest, layer.size});
    image.layer_paths.push_back(layer.blob_path);
  }
  for (const NewLayer& layer : layers) {
    const PackedBlob& blob = layer.layer.blob;
    image.layers.push_back(BlobDescriptor{layer.layer.media_type, blob.digest(), blob.size});
    image.layer_paths.push_back(blob.path);
  }
  auto config_text = dump_json(*config_document);
  if (!config_text) return std::unexpected(config_text.error());
  image.config_json = std::move(*config_text);
  image.config = blob_descriptor(oci::kConfig, image.config_json);

  nlohmann::json manifest_layers = nlohmann::json::array();
  for (const BlobDescriptor& layer : image.layers) manifest_layers.push_back(to_json(layer));
  nlohmann::json manifest{{"schemaVersion", 2},
                          {"mediaType", oci::kManifest},
                          {"config", to_json(image.config)},
                          {"layers", manifest_layers}};
  auto manifest_text = dump_json(manifest);
  if (!manifest_text) return std::unexpected(manifest_text.error());
  image.manifest_json = std::move(*manifest_text);
  image.manifest = blob_descriptor(oci::kManifest, image.manifest_json);
  return image;
}

}  // namespace wharf::packer
