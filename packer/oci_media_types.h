// OCI image-spec media types and annotation keys wharf writes or reads.
#pragma once

namespace wharf::packer::oci {

inline constexpr const char* kManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kRefName = "org.opencontainers.image.ref.name";

}  // namespace wharf::packer::oci
