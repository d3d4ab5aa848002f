#include "packer/layout_export.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>
#include <nlohmann/json.hpp>

#include "packer/image_json.h"
#include "packer/oci_media_types.h"
#include "packer/scratch_dir.h"

namespace wharf::packer {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

bool is_sha256_digest(const std::string& digest) {
  return digest.size() == 71 && digest.starts_with("sha256:") &&
         std::all_of(digest.begin() + 7, digest.end(),
                     [](char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); });
}

Result<void> fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int saved = errno;
    if (fd >= 0) ::close(fd);
    return fail(ErrorKind::io, fmt::format("cannot fsync {}: {}", path, std::strerror(saved)));
  }
  ::close(fd);
  return ok();
}

// Hard link (same file system: instant, no space), else a copy. Uses
// std::filesystem: fs::FileSystem has no link or streamed copy, and a
// 270 MB layer must not pass through memory.
Result<void> link_or_copy(const std::string& source, const std::string& target, const std::string& what) {
  std::error_code error;
  stdfs::create_hard_link(source, target, error);
  if (!error) return ok();
  error.clear();
  stdfs::copy_file(source, target, error);
  if (!error) return ok();
  return fail(error == std::errc::no_such_file_or_directory ? ErrorKind::not_found : ErrorKind::io,
              fmt::format("cannot link or copy {} from {} to {}: {}", what, source, target, error.message()));
}

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

// The layout being assembled in its temporary directory.
class Exporter {
 public:
  Exporter(fs::FileSystem& fs, const BlobPathFn& blob_path, std::string dir)
      : fs_(fs), blob_path_(blob_path), dir_(std::move(dir)) {}

  // A small blob (manifest, config) read from the store and checked against
  // its digest: it decides what else is exported, so it must be the one
  // the digest names.
  Result<std::string> read_checked(const BlobDescriptor& descriptor, std::string_view what) const {
    if (!is_sha256_digest(descriptor.digest)) {
      return fail(ErrorKind::corrupt,
                  fmt::format("the {} digest \"{}\" is not sha256:<64 hex digits>", what, descriptor.digest));
    }
    std::string path = blob_path_(descriptor.hex());
    auto bytes = fs_.read_file(path);
    if (!bytes) {
      return fail(bytes.error().kind,
                  fmt::format("the {} blob {} is missing or unreadable ({}); build the artifact again", what,
                              descriptor.digest, bytes.error().message));
    }
    BlobDescriptor actual = blob_descriptor("", *bytes);
    if (actual.digest != descriptor.digest || actual.size != descriptor.size) {
      return fail(ErrorKind::corrupt,
                  fmt::format("the {} blob {} holds {} bytes hashing to {} (descriptor: {} bytes); build the "
                              "artifact again",
                              what, descriptor.digest, actual.size, actual.digest, descriptor.size));
    }
    return std::move(*bytes);
  }

  // Links the blob into blobs/sha256/, checking it exists with its size
  // (layers are not re-hashed: they can be hundreds of MB).
  Result<void> put(const BlobDescriptor& descriptor, std::string_view what) {
    if (!is_sha256_digest(descriptor.digest)) {
      return fail(ErrorKind::corrupt,
                  fmt::format("the {} digest \"{}\" is not sha256:<64 hex digits>", what, descriptor.digest));
    }
    std::string target = dir_ + "/blobs/sha256/" + descriptor.hex();
    std::error_code error;
    if (stdfs::exists(target, error)) return ok();  // the same blob twice (a layer repeated)
    std::string source = blob_path_(descriptor.hex());
    auto stat = fs_.stat(source);
    if (!stat) {
      return fail(ErrorKind::not_found, fmt::format("the {} blob {} is missing ({}); build the artifact again", what,
                                                    descriptor.digest, source));
    }
    if (stat->size != descriptor.size) {
      return fail(ErrorKind::corrupt, fmt::format("the {} blob {} has {} bytes, its descriptor says {}", what,
                                                  descriptor.digest, stat->size, descriptor.size));
    }
    return link_or_copy(source, target, fmt::format("{} blob {}", what, descriptor.digest));
  }

  Result<void> put_text(const std::string& name, std::string_view text) {
    return fs_.write_file_atomic(dir_ + "/" + name, text, fs::Sync::none);
  }

  // The layout's fsyncs happen once, here: every file, then the directories.
  Result<void> sync_all() const {
    for (const auto& item : stdfs::recursive_directory_iterator(dir_)) {
      if (auto synced = fsync_path(item.path().string()); !synced) return synced;
    }
    return fsync_path(dir_);
  }

 private:
  fs::FileSystem& fs_;
  const BlobPathFn& blob_path_;
  std::string dir_;
};

Result<BlobDescriptor> descriptor_from(const json& value, std::string_view what) {
  if (!value.is_object() || !value.value("digest", json()).is_string() ||
      !value.value("size", json()).is_number_unsigned()) {
    return fail(ErrorKind::corrupt, fmt::format("the manifest's {} descriptor has no digest or size", what));
  }
  return BlobDescriptor{value.value("mediaType", ""), value["digest"], value["size"]};
}

// The same file: `a` is a hard link of `b` (lstat, so a symlink never is).
bool same_file(const std::string& a, const std::string& b) {
  struct ::stat sa {}, sb{};
  return ::lstat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Whether `out_dir` already is this layout, exported earlier from this
// store: its index names `manifest` under `tag`, and the manifest and every
// blob it names are links of the store's blobs (bytes verified when stored).
// An all-hit build or deploy re-exports every image; this turns the ~30
// file operations and 9 fsyncs of a layout into a few stats.
bool already_exported(const BlobDescriptor& manifest, const BlobPathFn& blob_path, const std::string& tag,
                      const std::string& out_dir) {
  if (!is_sha256_digest(manifest.digest)) return false;
  auto out_blob = [&](const std::string& digest) { return out_dir + "/blobs/sha256/" + digest.substr(7); };
  if (!same_file(out_blob(manifest.digest), blob_path(manifest.digest.substr(7)))) return false;
  std::ifstream index_file(out_dir + "/index.json", std::ios::binary);
  std::ifstream manifest_file(out_blob(manifest.digest), std::ios::binary);
  if (!index_file || !manifest_file) return false;
  json index = json::parse(index_file, nullptr, /*allow_exceptions=*/false);
  json document = json::parse(manifest_file, nullptr, /*allow_exceptions=*/false);
  if (!index.is_object() || !index.value("manifests", json()).is_array() || index["manifests"].size() != 1 ||
      !document.is_object() || !document.value("layers", json()).is_array() || !document.contains("config")) {
    return false;
  }
  const json& entry = index["manifests"][0];
  if (!entry.is_object() || entry.value("digest", "") != manifest.digest ||
      entry.value("annotations", json::object()).value(oci::kRefName, "") != tag) {
    return false;
  }
  std::vector<json> blobs = document["layers"];
  blobs.push_back(document["config"]);
  for (const json& blob : blobs) {
    const std::string digest = blob.is_object() ? blob.value("digest", "") : "";
    if (!is_sha256_digest(digest) || !same_file(out_blob(digest), blob_path(digest.substr(7)))) return false;
  }
  return true;
}

}  // namespace

Result<void> check_tag(const std::string& tag) {
  bool valid = !tag.empty() && tag.size() <= 128 && tag[0] != '.' && tag[0] != '-' &&
               std::all_of(tag.begin(), tag.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
               });
  if (valid) return ok();
  return fail(ErrorKind::config, fmt::format("image tag \"{}\" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-], at "
                                             "most 128 characters)",
                                             tag));
}

Result<void> export_layout(fs::FileSystem& fs, const BlobDescriptor& manifest, const BlobPathFn& blob_path,
                           const std::string& tag, const std::string& out_dir) {
  if (auto checked = check_tag(tag); !checked) return checked;
  if (already_exported(manifest, blob_path, tag, out_dir)) return ok();
  auto temp = ScratchDir::beside(out_dir, ".tmp.");
  if (!temp) return std::unexpected(temp.error());
  std::error_code error;
  stdfs::create_directories(temp->path() + "/blobs/sha256", error);
  if (error)
    return fail(ErrorKind::io, fmt::format("cannot create {}/blobs/sha256: {}", temp->path(), error.message()));
  Exporter exporter(fs, blob_path, temp->path());

  auto manifest_text = exporter.read_checked(manifest, "manifest");
  if (!manifest_text) return std::unexpected(manifest_text.error());
  json document = json::parse(*manifest_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object() || !document.contains("config") ||
      !document.value("layers", json()).is_array()) {
    return fail(ErrorKind::corrupt, fmt::format("the manifest blob {} is not an image manifest", manifest.digest));
  }
  auto config = descriptor_from(document["config"], "config");
  if (!config) return std::unexpected(config.error());
  auto config_text = exporter.read_checked(*config, "config");
  if (!config_text) return std::unexpected(config_text.error());
  for (const json& layer : document["layers"]) {
    auto descriptor = descriptor_from(layer, "layer");
    if (!descriptor) return std::unexpected(descriptor.error());
    if (auto put = exporter.put(*descriptor, "layer"); !put) return put;
  }
  for (const auto& [descriptor, what] : {std::pair{*config, "config"}, std::pair{manifest, "manifest"}}) {
    if (auto put = exporter.put(descriptor, what); !put) return put;
  }

  // The index entry says the platform, as registries' indexes do, so a
  // tool picking by platform finds it.
  json config_document = json::parse(*config_text, nullptr, /*allow_exceptions=*/false);
  if (!config_document.is_object()) {
    return fail(ErrorKind::corrupt, fmt::format("the config blob {} is not a JSON object", config->digest));
  }
  json platform{{"os", config_document.value("os", "")}, {"architecture", config_document.value("architecture", "")}};
  if (!config_document.value("variant", "").empty()) platform["variant"] = config_document["variant"];
  json entry = to_json(manifest);
  if (manifest.media_type.empty()) entry["mediaType"] = document.value("mediaType", oci::kManifest);
  entry["annotations"] = json{{oci::kRefName, tag}};
  entry["platform"] = platform;
  json index{{"schemaVersion", 2}, {"mediaType", oci::kIndex}, {"manifests", json::array({entry})}};
  auto index_text = dump_json(index);
  if (!index_text) return std::unexpected(index_text.error());
  if (auto put = exporter.put_text("index.json", *index_text); !put) return put;
  if (auto put = exporter.put_text("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !put) return put;
  if (auto synced = exporter.sync_all(); !synced) return synced;
  if (auto swapped = swap_in(temp->path(), out_dir); !swapped) return swapped;
  temp->release();  // swapped: now the old layout, which swap_in removed
  return ok();
}

Result<void> export_file(fs::FileSystem& fs, const std::string& blob_file, const std::string& out_path) {
  static std::atomic<unsigned> counter{0};
  auto stat = fs.stat(blob_file);
  if (!stat || stat->type != fs::FileType::regular) {
    return fail(ErrorKind::not_found,
                fmt::format("cannot export {} to {}: it is missing or not a file; build the artifact again", blob_file,
                            out_path));
  }
  // Already exported: the output is a link to this very blob (an all-hit
  // build re-exports every artifact; this keeps that to one lstat).
  struct ::stat out_stat {
  }, blob_stat{};
  if (::lstat(out_path.c_str(), &out_stat) == 0 && ::stat(blob_file.c_str(), &blob_stat) == 0 &&
      out_stat.st_dev == blob_stat.st_dev && out_stat.st_ino == blob_stat.st_ino) {
    return ok();
  }
  std::string parent = stdfs::path(out_path).parent_path().string();
  std::error_code error;
  if (!parent.empty()) stdfs::create_directories(parent, error);
  // A name only this process and call use, so the link cannot collide.
  std::string temp = fmt::format("{}.tmp.{}.{}", out_path, ::getpid(), counter++);
  ::unlink(temp.c_str());
  if (auto put = link_or_copy(blob_file, temp, "the artifact"); !put) return put;
  if (auto synced = fsync_path(temp); !synced) {
    ::unlink(temp.c_str());
    return synced;
  }
  if (::rename(temp.c_str(), out_path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temp.c_str());
    return fail(ErrorKind::io, fmt::format("cannot move the artifact into {}: {}", out_path, std::strerror(saved)));
  }
  // rename(2) does nothing when both names are links to one file (the same
  // blob exported before): the temporary name is then still there.
  ::unlink(temp.c_str());
  return ok();
}

}  // namespace wharf::packer
