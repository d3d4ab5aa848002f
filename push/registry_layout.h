// What goes up to (or comes down from) a registry for one artifact: its
// blobs and manifests, read from an OCI image layout directory, or made
// for a zip (an OCI artifact manifest around it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "push/pusher.h"
#include "util/error.h"

namespace wharf::push {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
// Accept header for manifest GETs and HEADs: registry 2.8 answers 404 to an
// OCI manifest asked for without one.
std::string manifest_accept();

struct RegistryBlob {
  std::string digest;  // "sha256:<hex>"
  std::uint64_t size = 0;
  std::string path;    // the file holding it, or "" when `data` does
  std::string data;
};

struct RegistryManifest {
  std::string digest;
  std::string media_type;
  std::string bytes;
};

struct RegistryContent {
  std::vector<RegistryBlob> blobs;          // each digest once
  std::vector<RegistryManifest> manifests;  // an index's manifests first; the top one last
};

// The descriptors (digest, size, media type) a manifest or index refers
// to: config and layers, or the manifests of an index.
struct Descriptor {
  std::string digest;
  std::uint64_t size = 0;
  std::string media_type;
};
struct ManifestRefs {
  bool is_index = false;
  std::string media_type;  // from the body ("" when it has none)
  std::vector<Descriptor> refs;
};
Result<ManifestRefs> parse_manifest(std::string_view bytes, const std::string& what);

// An OCI image layout with one manifest (or index) in index.json.
Result<RegistryContent> read_image_layout(const std::string& dir);
// A zip as an OCI artifact: artifactType application/vnd.wharf.zip.v1, the
// empty config, one application/zip layer.
Result<RegistryContent> zip_artifact_content(const Artifact& artifact);

std::string sha256_digest(std::string_view bytes);
Result<std::string> sha256_file(const std::string& path);
// "sha256:<64 hex>"; anything else could escape blobs/sha256/.
bool valid_digest(std::string_view digest);

}  // namespace wharf::push
