#include "packer/image_import.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "packer/image_json.h"
#include "packer/oci_media_types.h"
#include "packer/tar_extract.h"
#include "util/sha.h"
#include "util/text.h"

namespace wharf::packer {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

constexpr const char* kLayerTar = "application/vnd.oci.image.layer.v1.tar";
constexpr const char* kLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr const char* kLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

// Reads the files of one image on disk; `where` names it in messages.
class Source {
 public:
  Source(fs::FileSystem& fs, std::string root, std::string where)
      : fs_(fs), root_(std::move(root)), where_(std::move(where)) {}

  Error error(ErrorKind kind, std::string_view what) const {
    return Error{kind, fmt::format("importing the image {}: {}", where_, what)};
  }

  std::string path_of(const std::string& name) const { return root_ + "/" + name; }

  Result<std::string> read(const std::string& name) const {
    auto text = fs_.read_file(path_of(name));
    if (!text) return std::unexpected(error(text.error().kind, fmt::format("{} is missing or unreadable", name)));
    return text;
  }

  Result<json> read_json(const std::string& name, std::string_view text) const {
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return std::unexpected(error(ErrorKind::corrupt, fmt::format("{} is not JSON", name)));
    return parsed;
  }

  // The sha256 and size of a (possibly large) file, read in 1 MiB pieces.
  Result<BlobDescriptor> describe_file(const std::string& name, std::string media_type) const {
    std::string path = path_of(name);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(error(ErrorKind::not_found, fmt::format("{} is missing", name)));
    std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { ::close(*f); });
    Sha256 sha;
    std::uint64_t size = 0;
    std::string buffer(1 << 20, '\0');
    while (true) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::unexpected(error(ErrorKind::io, fmt::format("cannot read {}: {}", name, strerror(errno))));
      if (n == 0) break;
      sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      size += static_cast<std::size_t>(n);
    }
    auto digest = sha.digest();
    return BlobDescriptor{std::move(media_type), "sha256:" + to_hex(digest), size};
  }

  // The first bytes of a file (fewer if it is shorter).
  std::string head(const std::string& name, std::size_t count) const {
    std::string bytes(count, '\0');
    int fd = ::open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    ssize_t n = ::read(fd, bytes.data(), count);
    ::close(fd);
    bytes.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return bytes;
  }

  const std::string& where() const { return where_; }

 private:
  fs::FileSystem& fs_;
  std::string root_;
  std::string where_;
};

bool is_index(const std::string& media_type) {
  return media_type == oci::kIndex || media_type == oci::kDockerManifestList;
}

std::string platform_text(const json& platform) {
  std::string text = platform.value("os", "?") + "/" + platform.value("architecture", "?");
  if (!platform.value("variant", "").empty()) text += "/" + platform.value("variant", "");
  return text;
}

bool matches(const json& platform, const Platform& wanted) {
  return platform.value("os", "") == wanted.os && platform.value("architecture", "") == wanted.architecture &&
         (wanted.variant.empty() || platform.value("variant", "") == wanted.variant);
}

// An OCI image layout: its blobs are taken as they are.
class LayoutImport {
 public:
  LayoutImport(const Source& source, const Platform& platform) : source_(source), platform_(platform) {}

  Result<ComposedImage> run() {
    auto text = source_.read("index.json");
    if (!text) return std::unexpected(text.error());
    auto index = source_.read_json("index.json", *text);
    if (!index) return std::unexpected(index.error());
    std::vector<json> manifests;
    if (auto collected = collect(*index, 0, manifests); !collected) return std::unexpected(collected.error());
    auto chosen = choose(manifests);
    if (!chosen) return std::unexpected(chosen.error());

    ComposedImage image;
    auto manifest = blob_descriptor(*chosen, "manifest");
    if (!manifest) return std::unexpected(manifest.error());
    auto manifest_text = read_blob(*manifest, "manifest");
    if (!manifest_text) return std::unexpected(manifest_text.error());
    auto document = source_.read_json("the manifest", *manifest_text);
    if (!document) return std::unexpected(document.error());
    if (!document->is_object() || !document->value("layers", json()).is_array()) {
      return std::unexpected(
          source_.error(ErrorKind::corrupt, fmt::format("manifest {} has no layers array", manifest->digest)));
    }
    if (manifest->media_type.empty()) manifest->media_type = document->value("mediaType", oci::kManifest);
    auto config = blob_descriptor(document->value("config", json()), "config");
    if (!config) return std::unexpected(config.error());
    auto config_text = read_blob(*config, "config");
    if (!config_text) return std::unexpected(config_text.error());
    image.manifest = std::move(*manifest);
    image.manifest_json = std::move(*manifest_text);
    image.config = std::move(*config);
    image.config_json = std::move(*config_text);
    for (const json& layer : (*document)["layers"]) {
      auto descriptor = blob_descriptor(layer, "layer");
      if (!descriptor) return std::unexpected(descriptor.error());
      std::string name = blob_name(descriptor->digest);
      auto actual = source_.describe_file(name, descriptor->media_type);
      if (!actual) return std::unexpected(actual.error());
      if (auto checked = same(*actual, *descriptor, "layer"); !checked) return std::unexpected(checked.error());
      image.layers.push_back(*descriptor);
      image.layer_paths.push_back(source_.path_of(name));
    }
    return image;
  }

 private:
  static std::string blob_name(const std::string& digest) { return "blobs/sha256/" + digest.substr(7); }

  Result<BlobDescriptor> blob_descriptor(const json& value, std::string_view what) const {
    if (!value.is_object() || !value.value("digest", json()).is_string() ||
        !value.value("size", json()).is_number_unsigned()) {
      return std::unexpected(source_.error(
          ErrorKind::corrupt, fmt::format("a {} descriptor without digest or size: {}", what, value.dump())));
    }
    std::string digest = value["digest"];
    bool hex = digest.size() == 71 && std::all_of(digest.begin() + 7, digest.end(), [](char c) {
                 return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
               });
    if (!digest.starts_with("sha256:") || !hex) {
      return std::unexpected(
          source_.error(ErrorKind::corrupt, fmt::format("unsupported {} digest \"{}\"", what, digest)));
    }
    return BlobDescriptor{value.value("mediaType", ""), digest, value["size"]};
  }

  Result<void> same(const BlobDescriptor& actual, const BlobDescriptor& expected, std::string_view what) const {
    if (actual.digest == expected.digest && actual.size == expected.size) return ok();
    return std::unexpected(source_.error(
        ErrorKind::corrupt, fmt::format("{} blob {} holds {} bytes hashing to {} (its descriptor says {} bytes)", what,
                                        expected.digest, actual.size, actual.digest, expected.size)));
  }

  Result<std::string> read_blob(const BlobDescriptor& descriptor, std::string_view what) const {
    auto bytes = source_.read(blob_name(descriptor.digest));
    if (!bytes) return std::unexpected(bytes.error());
    if (auto checked = same(packer::blob_descriptor("", *bytes), descriptor, what); !checked) {
      return std::unexpected(checked.error());
    }
    return bytes;
  }

  // Image manifests reachable from `index`, nested indexes followed (two
  // levels: a layout's index naming a multi-platform index).
  Result<void> collect(const json& index, int depth, std::vector<json>& out) const {
    for (const json& descriptor : index.value("manifests", json::array())) {
      std::string media_type = descriptor.value("mediaType", "");
      if (!is_index(media_type)) {
        // buildx attaches provenance as a manifest for "unknown/unknown".
        bool attestation = descriptor.value("annotations", json::object()).contains("vnd.docker.reference.type");
        if (!attestation) out.push_back(descriptor);
        continue;
      }
      if (depth > 1) continue;
      auto nested_descriptor = blob_descriptor(descriptor, "index");
      if (!nested_descriptor) return std::unexpected(nested_descriptor.error());
      auto text = read_blob(*nested_descriptor, "index");
      if (!text) return std::unexpected(text.error());
      auto nested = source_.read_json("an image index", *text);
      if (!nested) return std::unexpected(nested.error());
      if (auto collected = collect(*nested, depth + 1, out); !collected) return collected;
    }
    return ok();
  }

  Result<json> choose(const std::vector<json>& manifests) const {
    std::vector<json> fitting;
    for (const json& descriptor : manifests) {
      bool seen = std::any_of(fitting.begin(), fitting.end(), [&](const json& other) {
        return other.value("digest", "") == descriptor.value("digest", "");
      });
      if (!seen && (manifests.size() == 1 || matches(descriptor.value("platform", json::object()), platform_))) {
        fitting.push_back(descriptor);
      }
    }
    if (fitting.size() == 1) return fitting.front();
    std::string listed;
    for (const json& descriptor : manifests) {
      listed += (listed.empty() ? "" : ", ") + platform_text(descriptor.value("platform", json::object()));
    }
    std::string wanted = platform_text(
        json{{"os", platform_.os}, {"architecture", platform_.architecture}, {"variant", platform_.variant}});
    if (fitting.empty()) {
      return std::unexpected(source_.error(
          ErrorKind::not_found, fmt::format("index.json has no image manifest for {} (it has: {}); build for that "
                                            "platform or set the service's platform",
                                            wanted, listed.empty() ? "none" : listed)));
    }
    return std::unexpected(
        source_.error(ErrorKind::corrupt,
                      fmt::format("index.json has {} different manifests for {}; keep one", fitting.size(), wanted)));
  }

  const Source& source_;
  const Platform& platform_;
};

// A `docker save` tarball, extracted: manifest.json names the config file
// and the layer tars, which become an OCI manifest.
class DockerArchiveImport {
 public:
  DockerArchiveImport(const Source& source, const Platform& platform) : source_(source), platform_(platform) {}

  Result<ComposedImage> run() {
    auto text = source_.read("manifest.json");
    if (!text) return std::unexpected(text.error());
    auto entries = source_.read_json("manifest.json", *text);
    if (!entries) return std::unexpected(entries.error());
    if (!entries->is_array() || entries->empty()) {
      return std::unexpected(source_.error(ErrorKind::corrupt, "manifest.json is not a non-empty array"));
    }
    std::vector<ComposedImage> fitting;
    std::string seen;
    for (const json& entry : *entries) {
      auto image = convert(entry);
      if (!image) return std::unexpected(image.error());
      json config = json::parse(image->config_json, nullptr, false);
      seen += (seen.empty() ? "" : ", ") + platform_text(config);
      if (entries->size() == 1 || matches(config, platform_)) fitting.push_back(std::move(*image));
    }
    if (fitting.size() != 1) {
      return std::unexpected(source_.error(
          ErrorKind::not_found, fmt::format("manifest.json has {} images for {}/{} (platforms: {}); save one image",
                                            fitting.size(), platform_.os, platform_.architecture, seen)));
    }
    return std::move(fitting.front());
  }

 private:
  // A file named in manifest.json, which comes from the build: it must stay
  // inside the archive.
  Result<std::string> member(const json& value, std::string_view what) const {
    std::string name = value.is_string() ? value.get<std::string>() : "";
    bool inside = !name.empty() && !name.starts_with('/') && ("/" + name + "/").find("/../") == std::string::npos;
    if (!inside) {
      return std::unexpected(source_.error(
          ErrorKind::corrupt, fmt::format("manifest.json names {} \"{}\", not a file inside", what, name)));
    }
    return name;
  }

  Result<ComposedImage> convert(const json& entry) const {
    if (!entry.is_object() || !entry.value("Layers", json()).is_array()) {
      return std::unexpected(source_.error(ErrorKind::corrupt, "an entry of manifest.json has no Config or Layers"));
    }
    auto config_name = member(entry.value("Config", json()), "the config");
    if (!config_name) return std::unexpected(config_name.error());
    ComposedImage image;
    auto config_text = source_.read(*config_name);
    if (!config_text) return std::unexpected(config_text.error());
    auto config = source_.read_json(*config_name, *config_text);
    if (!config) return std::unexpected(config.error());
    json diff_ids = config->is_object() ? config->value("rootfs", json::object()).value("diff_ids", json()) : json();
    if (!diff_ids.is_array() || diff_ids.size() != entry["Layers"].size()) {
      return std::unexpected(source_.error(
          ErrorKind::corrupt, fmt::format("the config {} lists {} diff_ids for {} layers", *config_name,
                                          diff_ids.is_array() ? diff_ids.size() : 0, entry["Layers"].size())));
    }
    image.config = packer::blob_descriptor(oci::kConfig, *config_text);
    image.config_json = std::move(*config_text);
    json layers = json::array();
    for (std::size_t i = 0; i < diff_ids.size(); ++i) {
      auto name = member(entry["Layers"][i], "a layer");
      if (!name) return std::unexpected(name.error());
      auto layer = source_.describe_file(*name, media_type_of(*name));
      if (!layer) return std::unexpected(layer.error());
      if (layer->media_type == kLayerTar && diff_ids[i] != layer->digest) {
        return std::unexpected(
            source_.error(ErrorKind::corrupt, fmt::format("layer {} hashes to {}, the config's diff_id says {}", *name,
                                                          layer->digest, diff_ids[i].dump())));
      }
      layers.push_back(to_json(*layer));
      image.layers.push_back(std::move(*layer));
      image.layer_paths.push_back(source_.path_of(*name));
    }
    json manifest{
        {"schemaVersion", 2}, {"mediaType", oci::kManifest}, {"config", to_json(image.config)}, {"layers", layers}};
    auto manifest_text = dump_json(manifest);
    if (!manifest_text) return std::unexpected(manifest_text.error());
    image.manifest_json = std::move(*manifest_text);
    image.manifest = packer::blob_descriptor(oci::kManifest, image.manifest_json);
    return image;
  }

  // By magic bytes, not by name: docker names every layer layer.tar.
  std::string media_type_of(const std::string& name) const {
    std::string head = source_.head(name, 4);
    if (head.starts_with("\x1f\x8b")) return kLayerGzip;
    if (head == "\x28\xb5\x2f\xfd") return kLayerZstd;
    return kLayerTar;
  }

  const Source& source_;
  const Platform& platform_;
};

Result<ComposedImage> import_directory(fs::FileSystem& fs, const std::string& dir, const std::string& where,
                                       const Platform& platform) {
  Source source(fs, dir, where);
  if (fs.stat(dir + "/index.json")) return LayoutImport(source, platform).run();
  if (fs.stat(dir + "/manifest.json")) return DockerArchiveImport(source, platform).run();
  return std::unexpected(source.error(ErrorKind::corrupt,
                                      "it is neither an OCI image layout (index.json) nor a docker archive "
                                      "(manifest.json); point the service at what the build wrote"));
}

}  // namespace

Result<ComposedImage> import_image(fs::FileSystem& fs, const std::string& path, const Platform& platform,
                                   const std::string& scratch_dir) {
  auto stat = fs.stat(path);
  if (stat && stat->type == fs::FileType::directory) return import_directory(fs, path, path, platform);
  std::error_code error;
  if (!stdfs::is_regular_file(path, error)) {
    return fail(ErrorKind::not_found, fmt::format("importing the image {}: no such file or directory; did the build "
                                                  "write it there?",
                                                  path));
  }
  stdfs::create_directories(scratch_dir, error);
  std::string dir = scratch_dir + "/import-XXXXXX";
  if (error || ::mkdtemp(dir.data()) == nullptr) {
    return fail(ErrorKind::io, fmt::format("importing the image {}: cannot create a directory in {}: {}", path,
                                           scratch_dir, error ? error.message() : std::strerror(errno)));
  }
  if (auto extracted = extract_tar(path, dir); !extracted) return std::unexpected(extracted.error());
  return import_directory(fs, dir, path, platform);
}

}  // namespace wharf::packer
