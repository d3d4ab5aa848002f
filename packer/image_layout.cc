#include "packer/image_layout.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "packer/image_json.h"
#include "packer/oci_media_types.h"
#include "util/sha.h"
#include "util/text.h"

namespace wharf::packer {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

bool valid_tag(const std::string& tag) {
  // The Docker/OCI tag grammar: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
  if (tag.empty() || tag.size() > 128 || tag[0] == '.' || tag[0] == '-') return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::string sha256_digest(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes);
  auto digest = sha.digest();
  return "sha256:" + to_hex(digest);
}

// The layout being built, in a temporary directory. Blob files are linked
// or copied with std::filesystem: fs::FileSystem has no link or streamed
// copy, and a 270 MB layer must not pass through memory.
class LayoutBuilder {
 public:
  LayoutBuilder(fs::FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  std::string blob_path(const std::string& digest) const { return dir_ + "/blobs/sha256/" + digest.substr(7); }

  Result<void> put_bytes(const std::string& path, std::string_view bytes) {
    return fs_.write_file_atomic(path, bytes, fs::Sync::none);
  }

  // A blob file from elsewhere: hard-linked (instant, no space) when on the
  // same file system, else copied.
  Result<void> put_file(const std::string& digest, const std::string& source) {
    std::error_code error;
    std::string target = blob_path(digest);
    if (stdfs::exists(target, error)) return ok();  // the same digest twice (a layer repeated)
    stdfs::create_hard_link(source, target, error);
    if (error) {
      error.clear();
      stdfs::copy_file(source, target, error);
    }
    if (error) {
      return fail(ErrorKind::io,
                  fmt::format("cannot copy blob {} from {} into {}: {}", digest, source, dir_, error.message()));
    }
    return ok();
  }

  Result<Descriptor> put_json(const json& document, const char* media_type) {
    auto text = dump_json(document);
    if (!text) return std::unexpected(text.error());
    Descriptor descriptor{media_type, sha256_digest(*text), text->size()};
    if (auto put = put_bytes(blob_path(descriptor.digest), *text); !put) return std::unexpected(put.error());
    return descriptor;
  }

  // The layout's fsyncs happen once, here: every file, then the directories.
  Result<void> sync_all() {
    for (const auto& item : stdfs::recursive_directory_iterator(dir_)) {
      int fd = ::open(item.path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return fail(ErrorKind::io, fmt::format("cannot fsync {}: {}", item.path().string(), std::strerror(errno)));
      }
      ::close(fd);
    }
    return ok();
  }

 private:
  fs::FileSystem& fs_;
  std::string dir_;
};

// Swaps the finished `temp` in as `out_dir`: atomically with RENAME_EXCHANGE
// when an old layout is there (then removed), else a plain rename.
Result<void> swap_in(const std::string& temp, const std::string& out_dir) {
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, out_dir.c_str(), RENAME_EXCHANGE) == 0) {
    std::error_code ignored;
    stdfs::remove_all(temp, ignored);  // now the old layout
    return ok();
  }
  if (errno == ENOENT && ::rename(temp.c_str(), out_dir.c_str()) == 0) return ok();
  return fail(ErrorKind::io, fmt::format("cannot move the image layout into {}: {}", out_dir, std::strerror(errno)));
}

}  // namespace

Result<WrittenImage> write_image_layout(fs::FileSystem& fs, const BaseImageRef& base, std::span<const NewLayer> layers,
                                        const ImageConfig& config, const std::string& tag, const std::string& out_dir) {
  if (!valid_tag(tag)) {
    return fail(ErrorKind::config, fmt::format("image tag \"{}\" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-], at "
                                               "most 128 characters)",
                                               tag));
  }
  auto loaded = load_base(fs, base, config.platform);
  if (!loaded) return std::unexpected(loaded.error());
  auto config_document = image_config_json(*loaded, layers, config);
  if (!config_document) return std::unexpected(config_document.error());

  std::string parent = stdfs::path(out_dir).parent_path().string();
  std::error_code error;
  if (!parent.empty()) stdfs::create_directories(parent, error);
  std::string temp = out_dir + ".tmp.XXXXXX";
  if (::mkdtemp(temp.data()) == nullptr) {
    return fail(ErrorKind::io, fmt::format("cannot create a directory beside {}: {}", out_dir, std::strerror(errno)));
  }
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      std::error_code ignored;
      if (!path.empty()) stdfs::remove_all(path, ignored);
    }
  } cleanup{temp};
  ::chmod(temp.c_str(), 0755);  // mkdtemp makes it 0700
  stdfs::create_directories(temp + "/blobs/sha256", error);
  if (error) return fail(ErrorKind::io, fmt::format("cannot create {}/blobs/sha256: {}", temp, error.message()));

  LayoutBuilder builder(fs, temp);
  json manifest_layers = json::array();
  for (const BaseLayer& layer : loaded->layers) {
    if (auto put = builder.put_file(layer.digest, layer.blob_path); !put) return std::unexpected(put.error());
    manifest_layers.push_back(to_json(Descriptor{layer.media_type, layer.digest, layer.size}));
  }
  for (const NewLayer& layer : layers) {
    const PackedBlob& blob = layer.layer.blob;
    auto put = blob.path.empty() ? builder.put_bytes(builder.blob_path(blob.digest()), blob.bytes)
                                 : builder.put_file(blob.digest(), blob.path);
    if (!put) return std::unexpected(put.error());
    manifest_layers.push_back(to_json(Descriptor{layer.layer.media_type, blob.digest(), blob.size}));
  }
  auto config_descriptor = builder.put_json(*config_document, oci::kConfig);
  if (!config_descriptor) return std::unexpected(config_descriptor.error());
  json manifest{{"schemaVersion", 2},
                {"mediaType", oci::kManifest},
                {"config", to_json(*config_descriptor)},
                {"layers", manifest_layers}};
  auto manifest_descriptor = builder.put_json(manifest, oci::kManifest);
  if (!manifest_descriptor) return std::unexpected(manifest_descriptor.error());

  json platform{{"os", config.platform.os}, {"architecture", config.platform.architecture}};
  if (!config.platform.variant.empty()) platform["variant"] = config.platform.variant;
  json entry = to_json(*manifest_descriptor);
  entry["annotations"] = json{{oci::kRefName, tag}};
  entry["platform"] = platform;
  json index{{"schemaVersion", 2}, {"mediaType", oci::kIndex}, {"manifests", json::array({entry})}};
  auto index_text = dump_json(index);
  if (!index_text) return std::unexpected(index_text.error());
  if (auto put = builder.put_bytes(temp + "/index.json", *index_text); !put) return std::unexpected(put.error());
  if (auto put = builder.put_bytes(temp + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !put) {
    return std::unexpected(put.error());
  }
  if (auto synced = builder.sync_all(); !synced) return std::unexpected(synced.error());
  if (auto swapped = swap_in(temp, out_dir); !swapped) return std::unexpected(swapped.error());
  cleanup.path.clear();
  return WrittenImage{manifest_descriptor->digest, manifest_descriptor->size, config_descriptor->digest, out_dir};
}

}  // namespace wharf::packer
