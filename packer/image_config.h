// What an image says about how to run it: the part of an OCI image config a
// service declares (the rest, rootfs and history, wharf fills in). Fields left
// unset keep the base image's values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "packer/pack_time.h"
#include "util/error.h"

namespace wharf::packer {

struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;  // "v8" for linux/arm64/v8; usually empty
};

// "linux/amd64", "linux/arm64/v8". ErrorKind::config otherwise.
Result<Platform> parse_platform(const std::string& text);

struct ImageConfig {
  // Set: replaces the base's. As with a Dockerfile ENTRYPOINT, a new
  // entrypoint without a cmd drops the base's cmd (its arguments were for
  // the old entrypoint).
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;  // "KEY=VALUE"; replaces the base's KEY, else appended in order
  std::optional<std::string> workdir;
  std::optional<std::string> user;
  std::map<std::string, std::string> labels;  // merged over the base's
  std::vector<std::string> exposed_ports;     // "8080/tcp", "53/udp"; "8080" means tcp
  Platform platform;
  std::int64_t epoch = kDefaultEpoch;  // `created` of the image and of each new history entry
};

}  // namespace wharf::packer
