#include "tests/push/artifacts.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/sha.h"
#include "util/text.h"

namespace wharf::push::testing {
namespace {

void write(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

Artifact base(const std::string& service, const std::string& kind, const std::string& path) {
  Artifact artifact;
  artifact.service = service;
  artifact.environment = "dev";
  artifact.kind = kind;
  artifact.path = path;
  artifact.sha = "0123456789abcdef0123456789abcdef01234567";
  artifact.short_sha = "0123456";
  artifact.key = "k" + std::string(31, '7');
  return artifact;
}

}  // namespace

std::string sha256_of(const std::string& bytes) {
  Sha256 sha;
  sha.update(bytes);
  return "sha256:" + to_hex(sha.digest());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Artifact make_zip(const std::string& dir, const std::string& name, const std::string& contents,
                  const std::string& service) {
  Artifact artifact = base(service, "zip", dir + "/" + name);
  write(artifact.path, contents);
  artifact.digest = sha256_of(contents);
  artifact.size = contents.size();
  artifact.media_type = "application/zip";
  artifact.tags = {artifact.short_sha};
  return artifact;
}

Artifact make_layout(const std::string& dir, const std::string& name, const std::string& layer_bytes,
                     const std::string& tag, const std::string& service) {
  Artifact artifact = base(service, "image", dir + "/" + name);
  const std::string blobs = artifact.path + "/blobs/sha256/";
  auto put = [&](const std::string& bytes) {
    const std::string digest = sha256_of(bytes);
    write(blobs + digest.substr(7), bytes);
    return digest;
  };
  const std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  const std::string config_digest = put(config);
  const std::string layer_digest = put(layer_bytes);
  const std::string manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                               R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                               config_digest + R"(","size":)" + std::to_string(config.size()) +
                               R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
                               layer_digest + R"(","size":)" + std::to_string(layer_bytes.size()) + "}]}";
  artifact.digest = put(manifest);
  artifact.size = manifest.size();
  artifact.media_type = "application/vnd.oci.image.manifest.v1+json";
  write(artifact.path + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  write(artifact.path + "/index.json",
        R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
            artifact.digest + R"(","size":)" + std::to_string(manifest.size()) +
            R"(,"annotations":{"org.opencontainers.image.ref.name":")" + tag + R"("}}]})");
  artifact.tags = {tag};
  return artifact;
}

}  // namespace wharf::push::testing
