#include "packer/image_json.h"

#include <fmt/format.h>

#include "util/sha.h"
#include "util/text.h"

namespace wharf::packer {

using nlohmann::json;

json to_json(const BlobDescriptor& descriptor) {
  return json{{"mediaType", descriptor.media_type}, {"digest", descriptor.digest}, {"size", descriptor.size}};
}

BlobDescriptor blob_descriptor(const char* media_type, std::string_view bytes) {
  Sha256 sha;
  sha.update(bytes);
  auto digest = sha.digest();
  return BlobDescriptor{media_type, "sha256:" + to_hex(digest), bytes.size()};
}

namespace {

// Env entries replace the base's value for the same key, in place.
void merge_env(json& env, const std::vector<std::string>& overrides) {
  if (!env.is_array()) env = json::array();
  for (const std::string& entry : overrides) {
    std::string key = entry.substr(0, entry.find('='));
    auto same = std::find_if(env.begin(), env.end(), [&](const json& existing) {
      return existing.is_string() &&
             existing.get<std::string>().substr(0, existing.get<std::string>().find('=')) == key;
    });
    if (same != env.end()) {
      *same = entry;
    } else {
      env.push_back(entry);
    }
  }
}

void apply_run_config(json& run, const ImageConfig& config) {
  if (!config.env.empty()) merge_env(run["Env"], config.env);
  if (config.entrypoint) {
    run["Entrypoint"] = *config.entrypoint;
    if (!config.cmd) run.erase("Cmd");
  }
  if (config.cmd) run["Cmd"] = *config.cmd;
  if (config.workdir) run["WorkingDir"] = *config.workdir;
  if (config.user) run["User"] = *config.user;
  for (const auto& [key, value] : config.labels) run["Labels"][key] = value;
  for (const std::string& port : config.exposed_ports) {
    run["ExposedPorts"][port.find('/') == std::string::npos ? port + "/tcp" : port] = json::object();
  }
}

}  // namespace

Result<json> image_config_json(const LoadedBase& base, std::span<const NewLayer> layers, const ImageConfig& config) {
  json document = json::object();
  if (!base.config_json.empty()) {
    document = json::parse(base.config_json, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
      return fail(ErrorKind::corrupt, "the base image's config is not a JSON object");
    }
    std::string os = document.value("os", "");
    std::string architecture = document.value("architecture", "");
    if (os != config.platform.os || architecture != config.platform.architecture) {
      return fail(ErrorKind::config, fmt::format("the base image is for {}/{}, the image is for {}/{}; pick a base "
                                                 "for the same platform (skopeo copy --override-arch ...)",
                                                 os, architecture, config.platform.os, config.platform.architecture));
    }
  }
  const std::string created = rfc3339(config.epoch);
  document["os"] = config.platform.os;
  document["architecture"] = config.platform.architecture;
  if (!config.platform.variant.empty()) document["variant"] = config.platform.variant;
  document["created"] = created;
  json& run = document["config"];
  if (!run.is_object()) run = json::object();
  apply_run_config(run, config);

  json& rootfs = document["rootfs"];
  if (!rootfs.is_object()) rootfs = json::object();
  rootfs["type"] = "layers";
  json& diff_ids = rootfs["diff_ids"];
  if (!diff_ids.is_array()) diff_ids = json::array();
  if (diff_ids.size() != base.layers.size()) {
    return fail(ErrorKind::corrupt, fmt::format("the base image has {} layers but {} diff_ids in its config",
                                                base.layers.size(), diff_ids.size()));
  }
  json& history = document["history"];
  if (!history.is_array()) history = json::array();
  for (const NewLayer& layer : layers) {
    diff_ids.push_back(layer.layer.diff_id);
    history.push_back(json{{"created", created}, {"created_by", layer.created_by}});
  }
  return document;
}

Result<std::string> dump_json(const json& document) {
  try {
    return document.dump();
  } catch (const json::type_error& error) {
    return fail(ErrorKind::config, fmt::format("image metadata is not valid UTF-8: {}", error.what()));
  }
}

}  // namespace wharf::packer
