#include "packer/image_layout.h"

#include <map>

#include "packer/layout_export.h"
#include "packer/scratch_dir.h"

namespace wharf::packer {
namespace {

// The blobs compose_image made (manifest, config) and in-memory layers,
// written to a directory beside the layout for export_layout to link from,
// and removed when done: the smallest stand-in for a blob store.
class StagedBlobs {
 public:
  explicit StagedBlobs(ScratchDir dir) : dir_(std::move(dir)) {}

  Result<void> put_bytes(fs::FileSystem& fs, const BlobDescriptor& blob, std::string_view bytes) {
    std::string path = dir_.path() + "/" + blob.hex();
    if (auto wrote = fs.write_file_atomic(path, bytes, fs::Sync::none); !wrote) return wrote;
    paths_[blob.hex()] = path;
    return ok();
  }
  void put_file(const BlobDescriptor& blob, const std::string& path) { paths_.emplace(blob.hex(), path); }

  std::string path(std::string_view hex) const {
    auto found = paths_.find(std::string(hex));
    return found == paths_.end() ? dir_.path() + "/" + std::string(hex) : found->second;
  }

 private:
  ScratchDir dir_;
  std::map<std::string, std::string> paths_;  // hex -> file
};

}  // namespace

Result<WrittenImage> write_image_layout(fs::FileSystem& fs, const BaseImageRef& base, std::span<const NewLayer> layers,
                                        const ImageConfig& config, const std::string& tag, const std::string& out_dir) {
  // Checked before anything is composed or written, as export_layout would.
  if (auto checked = check_tag(tag); !checked) return std::unexpected(checked.error());
  auto image = compose_image(fs, base, layers, config);
  if (!image) return std::unexpected(image.error());
  auto scratch = ScratchDir::beside(out_dir, ".blobs.");
  if (!scratch) return std::unexpected(scratch.error());
  StagedBlobs staged(std::move(*scratch));
  const std::size_t first_new = image->layers.size() - layers.size();
  for (std::size_t i = 0; i < image->layers.size(); ++i) {
    Result<void> put = ok();
    if (image->layer_paths[i].empty()) {
      put = staged.put_bytes(fs, image->layers[i], layers[i - first_new].layer.blob.bytes);
    } else {
      staged.put_file(image->layers[i], image->layer_paths[i]);
    }
    if (!put) return std::unexpected(put.error());
  }
  for (const auto& [blob, bytes] :
       {std::pair{&image->config, &image->config_json}, std::pair{&image->manifest, &image->manifest_json}}) {
    if (auto put = staged.put_bytes(fs, *blob, *bytes); !put) return std::unexpected(put.error());
  }
  auto exported = export_layout(
      fs, image->manifest, [&](std::string_view hex) { return staged.path(hex); }, tag, out_dir);
  if (!exported) return std::unexpected(exported.error());
  return WrittenImage{image->manifest.digest, image->manifest.size, image->config.digest, out_dir};
}

}  // namespace wharf::packer
