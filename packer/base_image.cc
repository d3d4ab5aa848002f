#include "packer/base_image.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "packer/oci_media_types.h"

namespace wharf::packer {
namespace {

using nlohmann::json;

struct Layout {
  const fs::FileSystem& fs;
  const BaseImageRef& ref;

  std::string where() const { return fmt::format("base image oci:{}:{}", ref.layout_dir, ref.tag); }

  std::string blob_path(const std::string& digest) const {
    return ref.layout_dir + "/blobs/" + digest.substr(0, digest.find(':')) + "/" + digest.substr(digest.find(':') + 1);
  }

  Result<json> read_json(const std::string& path) const {
    auto text = fs.read_file(path);
    if (!text) {
      return fail(text.error().kind, fmt::format("{}: {}; is it an OCI image layout (skopeo copy ... oci:DIR:TAG)?",
                                                 where(), text.error().message));
    }
    json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return fail(ErrorKind::corrupt, fmt::format("{}: {} is not a JSON object", where(), path));
    }
    return parsed;
  }

  // A descriptor's blob, checked against its size (the digest is not
  // re-hashed: base layers can be hundreds of MB, read on every build).
  Result<std::string> checked_blob(const json& descriptor) const {
    if (!descriptor.is_object() || !descriptor.value("digest", json()).is_string() ||
        !descriptor.value("size", json()).is_number_unsigned()) {
      return fail(ErrorKind::corrupt,
                  fmt::format("{}: a descriptor without digest or size: {}", where(), descriptor.dump()));
    }
    std::string digest = descriptor["digest"];
    if (!digest.starts_with("sha256:") || digest.size() != 71 || digest.find('/') != std::string::npos) {
      return fail(ErrorKind::corrupt, fmt::format("{}: unsupported digest \"{}\"", where(), digest));
    }
    std::string path = blob_path(digest);
    auto stat = fs.stat(path);
    if (!stat) return fail(ErrorKind::not_found, fmt::format("{}: blob {} is missing ({})", where(), digest, path));
    if (stat->size != descriptor["size"].get<std::uint64_t>()) {
      return fail(ErrorKind::corrupt, fmt::format("{}: blob {} has {} bytes, its descriptor says {}", where(), digest,
                                                  stat->size, descriptor["size"].get<std::uint64_t>()));
    }
    return path;
  }
};

bool matches(const json& descriptor, const Platform& platform) {
  json p = descriptor.value("platform", json::object());
  return p.value("os", "") == platform.os && p.value("architecture", "") == platform.architecture &&
         (platform.variant.empty() || p.value("variant", "") == platform.variant);
}

}  // namespace

Result<BaseImageRef> parse_base_ref(const std::string& text) {
  if (text == "scratch") return BaseImageRef{};
  auto bad = [&] {
    return fail(ErrorKind::config,
                fmt::format("base image \"{}\": expected \"scratch\" or \"oci:DIR:TAG\" (an OCI image layout "
                            "directory and the tag in it)",
                            text));
  };
  if (!text.starts_with("oci:")) return bad();
  std::string rest = text.substr(4);
  std::size_t colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) return bad();
  return BaseImageRef{rest.substr(0, colon), rest.substr(colon + 1)};
}

Result<LoadedBase> load_base(const fs::FileSystem& fs, const BaseImageRef& ref, const Platform& platform) {
  if (ref.is_scratch()) return LoadedBase{};
  Layout layout{fs, ref};
  auto index = layout.read_json(ref.layout_dir + "/index.json");
  if (!index) return std::unexpected(index.error());
  const json manifests = index->value("manifests", json::array());
  const json* chosen = nullptr;
  // TAG names a manifest by its ref.name, or (sha256:...) by its digest: a
  // layout pulled by digest has no name for it.
  const bool by_digest = ref.tag.starts_with("sha256:");
  for (const json& descriptor : manifests) {
    if (by_digest ? descriptor.value("digest", "") == ref.tag
                  : descriptor.value("annotations", json::object()).value(oci::kRefName, "") == ref.tag) {
      chosen = &descriptor;
    }
  }
  if (chosen == nullptr) {
    return fail(ErrorKind::not_found, fmt::format("{}: no manifest in {}/index.json has {} = \"{}\"", layout.where(),
                                                  ref.layout_dir, oci::kRefName, ref.tag));
  }
  json descriptor = *chosen;
  std::string media_type = descriptor.value("mediaType", "");
  if (media_type == oci::kIndex || media_type == oci::kDockerManifestList) {
    auto path = layout.checked_blob(descriptor);
    if (!path) return std::unexpected(path.error());
    auto nested = layout.read_json(*path);
    if (!nested) return std::unexpected(nested.error());
    json found;
    for (const json& entry : nested->value("manifests", json::array())) {
      if (matches(entry, platform)) found = entry;
    }
    if (found.is_null()) {
      return fail(ErrorKind::not_found, fmt::format("{}: the image index has no manifest for {}/{}", layout.where(),
                                                    platform.os, platform.architecture));
    }
    descriptor = found;
  }
  auto manifest_path = layout.checked_blob(descriptor);
  if (!manifest_path) return std::unexpected(manifest_path.error());
  auto manifest = layout.read_json(*manifest_path);
  if (!manifest) return std::unexpected(manifest.error());
  auto config_path = layout.checked_blob(manifest->value("config", json()));
  if (!config_path) return std::unexpected(config_path.error());
  auto config_text = fs.read_file(*config_path);
  if (!config_text) return std::unexpected(config_text.error());

  LoadedBase base;
  base.config_json = std::move(*config_text);
  for (const json& layer : manifest->value("layers", json::array())) {
    auto path = layout.checked_blob(layer);
    if (!path) return std::unexpected(path.error());
    base.layers.push_back(BaseLayer{layer.value("mediaType", ""), layer["digest"], layer["size"], *path});
  }
  return base;
}

}  // namespace wharf::packer
