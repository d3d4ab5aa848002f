// The JSON documents of an image (config, manifest, index), built as
// nlohmann::json objects, whose keys are kept sorted: together with a compact
// dump that makes the bytes, hence the digests, a function of the content.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "packer/base_image.h"
#include "packer/image_compose.h"
#include "packer/image_config.h"
#include "util/error.h"

namespace wharf::packer {

nlohmann::json to_json(const BlobDescriptor& descriptor);

// The descriptor of `bytes` as a blob: their sha256 and size.
BlobDescriptor blob_descriptor(const char* media_type, std::string_view bytes);

// The base's config (or an empty one) with `config` applied, the new
// layers' diff_ids appended to rootfs.diff_ids and one history entry each.
// ErrorKind::config when the base is for another platform, ErrorKind::corrupt
// when its diff_ids do not match its layers.
Result<nlohmann::json> image_config_json(const LoadedBase& base, std::span<const NewLayer> layers,
                                         const ImageConfig& config);

// Compact, keys sorted; ErrorKind::config if a string is not valid UTF-8.
Result<std::string> dump_json(const nlohmann::json& document);

}  // namespace wharf::packer
