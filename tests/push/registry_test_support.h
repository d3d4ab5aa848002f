// Shared set-up of the registry pusher's tests: artifacts, a pusher on a
// plain-HTTP registry, and the skopeo/curl checks of what the registry holds.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "push/registry_pusher.h"
#include "tests/testing/registry_server.h"
#include "tests/testing/temp_dir.h"

namespace wharf::testing {

#define WHARF_SKIP_WITHOUT_REGISTRY()                                                                 \
  if (!registry_available() || !skopeo_available())                                                  \
  GTEST_SKIP() << "docker-registry or skopeo is not installed (apt-get install docker-registry skopeo)"

inline push::Artifact image_artifact(const std::string& layout, const std::string& digest,
                                     std::vector<std::string> tags = {"v1"}) {
  push::Artifact a;
  a.service = "api";
  a.environment = "dev";
  a.kind = "image";
  a.path = layout;
  a.digest = digest;
  a.media_type = "application/vnd.oci.image.manifest.v1+json";
  a.tags = std::move(tags);
  return a;
}

// Options whose backoff waits return at once and are recorded; environment
// variables come from `env` only.
struct TestOptions {
  std::shared_ptr<std::map<std::string, std::string>> env = std::make_shared<std::map<std::string, std::string>>();
  std::shared_ptr<std::vector<std::chrono::milliseconds>> sleeps =
      std::make_shared<std::vector<std::chrono::milliseconds>>();
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();

  push::RegistryOptions options(const std::string& docker_config = "") const {
    push::RegistryOptions o;
    o.docker_config = docker_config;
    auto e = env;
    o.getenv = [e](const char* name) -> const char* {
      auto it = e->find(name);
      return it == e->end() ? nullptr : it->second.c_str();
    };
    auto s = sleeps;
    auto m = mutex;
    o.sleep = [s, m](std::chrono::milliseconds d) {
      std::lock_guard lock(*m);
      s->push_back(d);
    };
    return o;
  }
};

inline push::RegistryTarget target_at(const std::string& address, const std::string& repository) {
  push::RegistryTarget t;
  t.registry = address;
  t.repository = repository;
  t.insecure = true;
  t.timeout = std::chrono::seconds(60);
  return t;
}

// sha256 of the manifest the registry serves for repo:tag ("" when none).
inline std::string registry_manifest_digest(const std::string& address, const std::string& ref,
                                            const std::string& creds = "") {
  int status = 1;
  std::string out = run_command("skopeo inspect --raw --tls-verify=false " +
                                    (creds.empty() ? std::string() : "--creds " + shell_quote(creds) + " ") +
                                    shell_quote("docker://" + address + "/" + ref) + " 2>/dev/null | sha256sum",
                                &status);
  int inspect_status = 1;
  run_command("skopeo inspect --raw --tls-verify=false " +
                  (creds.empty() ? std::string() : "--creds " + shell_quote(creds) + " ") +
                  shell_quote("docker://" + address + "/" + ref) + " >/dev/null 2>&1",
              &inspect_status);
  if (inspect_status != 0) return "";
  return "sha256:" + out.substr(0, 64);
}

inline std::string http_code(const std::string& args) {
  return run_command("curl -s -o /dev/null -w '%{http_code}' " + args);
}

}  // namespace wharf::testing
