#include "push/registry_layout.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "util/sha.h"
#include "util/text.h"

namespace wharf::push {
namespace {

constexpr std::string_view kEmptyConfig = "application/vnd.oci.empty.v1+json";

Result<std::string> read_small(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::not_found, fmt::format("{}: cannot read {}", what, path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string blob_path(const std::string& dir, std::string_view digest) {
  return dir + "/blobs/sha256/" + std::string(digest.substr(7));
}

}  // namespace

std::string manifest_accept() {
  return fmt::format("{}, {}, {}, {}", kOciManifest, kOciIndex, kDockerManifest, kDockerList);
}

bool valid_digest(std::string_view digest) {
  if (!digest.starts_with("sha256:") || digest.size() != 7 + 64) return false;
  for (char c : digest.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string sha256_digest(std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes);
  return "sha256:" + to_hex(sha.digest());
}

Result<std::string> sha256_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) return fail(ErrorKind::io, fmt::format("cannot read {}", path));
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get())) sha.update({buffer.data(), n});
  if (std::ferror(file.get())) return fail(ErrorKind::io, fmt::format("cannot read {}", path));
  return "sha256:" + to_hex(sha.digest());
}

Result<ManifestRefs> parse_manifest(std::string_view bytes, const std::string& what) {
  auto json = nlohmann::json::parse(bytes, nullptr, false);
  if (!json.is_object()) return fail(ErrorKind::corrupt, what + " is not a JSON object");
  ManifestRefs out;
  if (json.contains("mediaType") && json["mediaType"].is_string()) out.media_type = json["mediaType"];
  auto descriptor = [&](const nlohmann::json& d) -> Result<Descriptor> {
    if (!d.is_object() || !d.contains("digest") || !d["digest"].is_string() || !d.contains("size") ||
        !d["size"].is_number_unsigned()) {
      return fail(ErrorKind::corrupt, what + " has a descriptor without a digest or size");
    }
    Descriptor out_d{d["digest"], d["size"].get<std::uint64_t>(), d.value("mediaType", "")};
    if (!valid_digest(out_d.digest)) {
      return fail(ErrorKind::corrupt, fmt::format("{} refers to \"{}\", not a sha256 digest", what,
                                                  printable(out_d.digest)));
    }
    return out_d;
  };
  if (json.contains("manifests")) {
    out.is_index = true;
    if (!json["manifests"].is_array()) return fail(ErrorKind::corrupt, what + ": manifests is not a list");
    for (const auto& d : json["manifests"]) {
      auto ref = descriptor(d);
      if (!ref) return std::unexpected(ref.error());
      out.refs.push_back(*ref);
    }
    return out;
  }
  if (!json.contains("config")) return fail(ErrorKind::corrupt, what + " has no config");
  auto config = descriptor(json["config"]);
  if (!config) return std::unexpected(config.error());
  out.refs.push_back(*config);
  if (json.contains("layers")) {
    if (!json["layers"].is_array()) return fail(ErrorKind::corrupt, what + ": layers is not a list");
    for (const auto& d : json["layers"]) {
      auto ref = descriptor(d);
      if (!ref) return std::unexpected(ref.error());
      out.refs.push_back(*ref);
    }
  }
  return out;
}

Result<RegistryContent> read_image_layout(const std::string& dir) {
  auto index_text = read_small(dir + "/index.json", "OCI image layout");
  if (!index_text) return std::unexpected(index_text.error());
  auto index = parse_manifest(*index_text, dir + "/index.json");
  if (!index) return std::unexpected(index.error());
  if (!index->is_index || index->refs.size() != 1) {
    return fail(ErrorKind::corrupt, fmt::format("{}/index.json should list exactly one manifest", dir));
  }
  RegistryContent content;
  std::set<std::string> seen;
  auto add_blob = [&](const Descriptor& d) -> Result<void> {
    if (!seen.insert(d.digest).second) return ok();
    const std::string path = blob_path(dir, d.digest);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return fail(ErrorKind::not_found, fmt::format("OCI image layout {} lacks blob {}", dir, d.digest));
    }
    if (static_cast<std::uint64_t>(st.st_size) != d.size) {
      return fail(ErrorKind::corrupt, fmt::format("OCI image layout {}: blob {} has {} bytes, its descriptor says {}",
                                                  dir, d.digest, st.st_size, d.size));
    }
    content.blobs.push_back({d.digest, d.size, path, {}});
    return ok();
  };
  // A manifest, or an index one level deep (a multi-platform image).
  auto add_manifest = [&](const Descriptor& d, auto& self, int depth) -> Result<void> {
    auto bytes = read_small(blob_path(dir, d.digest), "OCI image layout " + dir);
    if (!bytes) return std::unexpected(bytes.error());
    if (sha256_digest(*bytes) != d.digest) {
      return fail(ErrorKind::corrupt, fmt::format("OCI image layout {}: manifest {} does not match its digest", dir,
                                                  d.digest));
    }
    auto refs = parse_manifest(*bytes, fmt::format("manifest {} in {}", d.digest, dir));
    if (!refs) return std::unexpected(refs.error());
    for (const Descriptor& ref : refs->refs) {
      if (refs->is_index) {
        if (depth > 0) return fail(ErrorKind::corrupt, fmt::format("{}: nested image indexes are not supported", dir));
        if (auto child = self(ref, self, depth + 1); !child) return child;
      } else if (auto added = add_blob(ref); !added) {
        return added;
      }
    }
    std::string media_type = !d.media_type.empty() ? d.media_type : refs->media_type;
    if (media_type.empty()) media_type = refs->is_index ? kOciIndex : kOciManifest;
    content.manifests.push_back({d.digest, media_type, std::move(*bytes)});
    return ok();
  };
  if (auto top = add_manifest(index->refs.front(), add_manifest, 0); !top) return std::unexpected(top.error());
  return content;
}

Result<RegistryContent> zip_artifact_content(const Artifact& artifact) {
  struct stat st {};
  if (::stat(artifact.path.c_str(), &st) != 0) {
    return fail(ErrorKind::not_found, fmt::format("zip {} of service {} does not exist", artifact.path,
                                                  artifact.service));
  }
  std::string digest = artifact.digest;
  if (digest.empty()) {
    auto hashed = sha256_file(artifact.path);
    if (!hashed) return std::unexpected(hashed.error());
    digest = *hashed;
  }
  RegistryContent content;
  const std::string empty = "{}";
  content.blobs.push_back({sha256_digest(empty), empty.size(), "", empty});
  content.blobs.push_back({digest, static_cast<std::uint64_t>(st.st_size), artifact.path, {}});
  nlohmann::ordered_json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = kOciManifest;
  manifest["artifactType"] = "application/vnd.wharf.zip.v1";
  manifest["config"] = {{"mediaType", kEmptyConfig}, {"digest", content.blobs[0].digest}, {"size", 2}};
  manifest["layers"] = nlohmann::ordered_json::array(
      {{{"mediaType", "application/zip"}, {"digest", digest}, {"size", content.blobs[1].size}}});
  std::string bytes = manifest.dump();
  content.manifests.push_back({sha256_digest(bytes), std::string(kOciManifest), bytes});
  return content;
}

}  // namespace wharf::push
