// pull_image: a registry's image into an OCI image layout directory.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "push/registry_client.h"
#include "push/registry_layout.h"
#include "push/registry_pusher.h"
#include "util/text.h"

namespace wharf::push {
namespace {

namespace fs = std::filesystem;

Error pull_error(const RegistryTarget& source, const std::string& reference, ErrorKind kind, const std::string& what) {
  return Error{kind, fmt::format("pull of {}/{}:{} failed: {}", source.registry, source.repository,
                                 printable(reference), what)};
}

bool write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

}  // namespace

Result<std::string> pull_image(const RegistryTarget& source, const std::string& reference,
                               const std::string& layout_dir, const RegistryOptions& options) {
  const bool by_digest = reference.starts_with("sha256:");
  if (reference.empty() || (by_digest && !valid_digest(reference)) || reference.find('/') != std::string::npos) {
    return fail(ErrorKind::usage, fmt::format("\"{}\" is not a tag or a sha256 digest", printable(reference)));
  }
  RegistryClient client(source, options, std::make_shared<RegistrySession>());
  if (auto opened = client.open(); !opened) {
    return std::unexpected(pull_error(source, reference, opened.error().kind, opened.error().message));
  }
  const std::string scope = "repository:" + source.repository + ":pull";
  const std::string v2 = "/v2/" + source.repository;

  // The manifest (and an index's manifests), kept in memory: they are small.
  std::vector<RegistryManifest> manifests;
  std::vector<Descriptor> blobs;
  std::set<std::string> seen;
  auto get_manifest = [&](const std::string& ref, const std::string& want_digest) -> Result<ManifestRefs> {
    RegistryCall call{{}, scope, true};
    call.request.url = client.url(v2 + "/manifests/" + ref);
    call.request.headers.emplace_back("Accept", manifest_accept());
    auto result = client.send(call);
    if (!result || result->status != 200) {
      return std::unexpected(pull_error(source, reference, result && result->status == 404 ? ErrorKind::not_found
                                                                                           : ErrorKind::io,
                                        client.describe(call.request, result)));
    }
    const std::string digest = sha256_digest(result->body);
    if ((!want_digest.empty() && digest != want_digest) ||
        (!result->header("Docker-Content-Digest").empty() && result->header("Docker-Content-Digest") != digest)) {
      return std::unexpected(pull_error(source, reference, ErrorKind::corrupt,
                                        fmt::format("manifest {} came back with digest {}", ref, digest)));
    }
    auto refs = parse_manifest(result->body, "manifest " + digest);
    if (!refs) return std::unexpected(pull_error(source, reference, ErrorKind::corrupt, refs.error().message));
    std::string media_type(result->header("Content-Type"));
    media_type = media_type.substr(0, media_type.find(';'));
    if (!refs->media_type.empty()) media_type = refs->media_type;
    if (media_type.empty() || media_type == "application/json") media_type = refs->is_index ? kOciIndex : kOciManifest;
    manifests.push_back({digest, media_type, std::move(result->body)});
    return refs;
  };
  auto top = get_manifest(reference, by_digest ? reference : "");
  if (!top) return std::unexpected(top.error());
  const RegistryManifest top_manifest = manifests.front();
  auto add_blobs = [&](const ManifestRefs& refs) {
    for (const Descriptor& d : refs.refs) {
      if (seen.insert(d.digest).second) blobs.push_back(d);
    }
  };
  if (top->is_index) {
    for (const Descriptor& child : top->refs) {
      auto refs = get_manifest(child.digest, child.digest);
      if (!refs) return std::unexpected(refs.error());
      if (refs->is_index) {
        return fail(ErrorKind::corrupt, fmt::format("{}: nested image indexes are not supported", reference));
      }
      add_blobs(*refs);
    }
  } else {
    add_blobs(*top);
  }

  // Written beside the destination, renamed into place when complete.
  const fs::path dest(layout_dir);
  const std::string tmp = fmt::format("{}.tmp-{}", layout_dir, getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(fs::path(tmp) / "blobs" / "sha256", ec);
  if (ec) return fail(ErrorKind::io, fmt::format("cannot create {}: {}", tmp, ec.message()));
  struct Cleanup {
    std::string dir;
    bool keep = false;
    ~Cleanup() {
      std::error_code e;
      if (!keep) fs::remove_all(dir, e);
    }
  } cleanup{tmp};
  auto path_of = [&](const std::string& digest) { return tmp + "/blobs/sha256/" + digest.substr(7); };

  for (std::size_t first = 0; first < blobs.size(); first += source.parallel ? source.parallel : 1) {
    const std::size_t end = std::min(blobs.size(), first + (source.parallel ? source.parallel : 1));
    std::vector<RegistryCall> calls;
    for (std::size_t i = first; i < end; ++i) {
      RegistryCall call{{}, scope, true};
      call.request.url = client.url(v2 + "/blobs/" + blobs[i].digest);
      call.request.save_to = path_of(blobs[i].digest);
      calls.push_back(std::move(call));
    }
    auto results = client.send_all(calls);
    for (std::size_t k = 0; k < calls.size(); ++k) {
      const Descriptor& d = blobs[first + k];
      if (!results[k] || results[k]->status != 200) {
        return std::unexpected(pull_error(source, reference, ErrorKind::io, client.describe(calls[k].request, results[k])));
      }
      auto digest = sha256_file(path_of(d.digest));
      if (!digest) return std::unexpected(digest.error());
      std::error_code size_ec;
      if (*digest != d.digest || fs::file_size(path_of(d.digest), size_ec) != d.size) {
        return std::unexpected(pull_error(source, reference, ErrorKind::corrupt,
                                          fmt::format("blob {} came back as {}", d.digest, *digest)));
      }
    }
  }
  for (const RegistryManifest& m : manifests) {
    if (!write_file(path_of(m.digest), m.bytes)) return fail(ErrorKind::io, "cannot write " + path_of(m.digest));
  }
  nlohmann::ordered_json descriptor = {{"mediaType", top_manifest.media_type},
                                       {"digest", top_manifest.digest},
                                       {"size", top_manifest.bytes.size()}};
  if (!by_digest) descriptor["annotations"] = {{"org.opencontainers.image.ref.name", reference}};
  nlohmann::ordered_json index = {{"schemaVersion", 2},
                                  {"mediaType", kOciIndex},
                                  {"manifests", nlohmann::ordered_json::array({descriptor})}};
  if (!write_file(tmp + "/index.json", index.dump()) ||
      !write_file(tmp + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})")) {
    return fail(ErrorKind::io, "cannot write the layout in " + tmp);
  }
  // Replace an older layout: move it aside, rename the new one in, remove it.
  const std::string old = fmt::format("{}.old-{}", layout_dir, getpid());
  bool had_old = fs::exists(dest, ec);
  if (had_old) fs::rename(dest, old, ec);
  if (ec) return fail(ErrorKind::io, fmt::format("cannot move {} aside: {}", layout_dir, ec.message()));
  fs::rename(tmp, dest, ec);
  if (ec) return fail(ErrorKind::io, fmt::format("cannot rename {} to {}: {}", tmp, layout_dir, ec.message()));
  cleanup.keep = true;
  if (had_old) fs::remove_all(old, ec);
  for (const Descriptor& d : blobs) remember_blob(source.registry, d.digest, source.repository);
  return top_manifest.digest;
}

}  // namespace wharf::push
