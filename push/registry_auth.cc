#include "push/registry_auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "proc/process.h"
#include "util/text.h"

namespace wharf::push {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string env(const RegistryOptions& options, const std::string& name) {
  if (name.empty() || !options.getenv) return {};
  const char* value = options.getenv(name.c_str());
  return value ? value : "";
}

std::string config_path(const RegistryOptions& options) {
  if (!options.docker_config.empty()) return options.docker_config;
  if (std::string dir = env(options, "DOCKER_CONFIG"); !dir.empty()) return dir + "/config.json";
  if (std::string home = env(options, "HOME"); !home.empty()) return home + "/.docker/config.json";
  return {};
}

// config.json keys are "host[:port]", sometimes written as a URL
// ("https://index.docker.io/v1/"): compare the host part only.
std::string registry_key(std::string_view key) {
  if (auto scheme = key.find("://"); scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
  if (auto slash = key.find('/'); slash != std::string_view::npos) key = key.substr(0, slash);
  return std::string(key);
}

const nlohmann::json* entry_for(const nlohmann::json& object, const std::string& registry) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (registry_key(it.key()) == registry) return &it.value();
  }
  return nullptr;
}

// The first executable `name` in $PATH (as the process would find it).
std::string find_in_path(const RegistryOptions& options, const std::string& name) {
  std::string path = env(options, "PATH");
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& dir : split_list(path, ':')) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// docker-credential-<helper> get, the registry on stdin, {"Username",
// "Secret"} on stdout. Its output goes to a file in a private (0700)
// directory removed right after, so the secret never outlives the call.
Result<Credentials> run_helper(const RegistryOptions& options, const std::string& helper,
                               const std::string& registry) {
  const std::string program = "docker-credential-" + helper;
  const std::string path = find_in_path(options, program);
  if (path.empty()) {
    return fail(ErrorKind::config, fmt::format("credential helper {} for registry {} is not in PATH: install it "
                                               "or remove it from the docker config",
                                               program, registry));
  }
  std::string base = std::filesystem::temp_directory_path().string() + "/wharf-cred-XXXXXX";
  if (mkdtemp(base.data()) == nullptr) {
    return fail(ErrorKind::io, fmt::format("cannot create a private temporary directory for {}", program));
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{base};
  const std::string in = base + "/in", out = base + "/out";
  std::ofstream(in) << registry;
  proc::ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", "exec \"$0\" get < \"$1\"", path, in};
  spec.log_path = out;
  spec.timeout = std::chrono::seconds(60);
  auto result = proc::run_process(spec);
  if (!result) return std::unexpected(result.error());
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  if (!result->ok()) {
    // Helpers print "credentials not found in native keychain" and such: the
    // output holds no secret when it failed, but keep it short anyway.
    return fail(ErrorKind::config, fmt::format("credential helper {} for registry {} {}: {}", program, registry,
                                               result->describe(), printable(text.str(), 200)));
  }
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (!json.is_object() || !json.contains("Secret")) {
    return fail(ErrorKind::config,
                fmt::format("credential helper {} for registry {} did not print {{\"Username\", \"Secret\"}}",
                            program, registry));
  }
  Credentials creds;
  creds.user = json.value("Username", "");
  creds.password = json["Secret"].is_string() ? json["Secret"].get<std::string>() : "";
  return creds;
}

Result<Credentials> from_docker_config(const RegistryTarget& target, const RegistryOptions& options) {
  const std::string path = config_path(options);
  if (path.empty()) return Credentials{};
  std::ifstream file(path);
  if (!file) {
    if (!options.docker_config.empty()) {
      return fail(ErrorKind::config, fmt::format("cannot read docker config {}", path));
    }
    return Credentials{};  // no ~/.docker/config.json: anonymous
  }
  auto json = nlohmann::json::parse(file, nullptr, false);
  if (!json.is_object()) {
    return fail(ErrorKind::config, fmt::format("docker config {} is not a JSON object", path));
  }
  if (auto auths = json.find("auths"); auths != json.end()) {
    if (const nlohmann::json* entry = entry_for(*auths, target.registry); entry && entry->is_object()) {
      if (auto auth = entry->find("auth"); auth != entry->end() && auth->is_string() && !auth->get<std::string>().empty()) {
        auto decoded = base64_decode(auth->get<std::string>());
        auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos) {
          return fail(ErrorKind::config, fmt::format("docker config {}: auths[\"{}\"].auth is not base64 of "
                                                     "user:password",
                                                     path, target.registry));
        }
        return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
      }
      if (entry->contains("username") && entry->contains("password")) {
        return Credentials{entry->value("username", ""), entry->value("password", "")};
      }
    }
  }
  if (auto helpers = json.find("credHelpers"); helpers != json.end()) {
    if (const nlohmann::json* helper = entry_for(*helpers, target.registry); helper && helper->is_string()) {
      return run_helper(options, helper->get<std::string>(), target.registry);
    }
  }
  if (auto store = json.find("credsStore"); store != json.end() && store->is_string() && !store->get<std::string>().empty()) {
    return run_helper(options, store->get<std::string>(), target.registry);
  }
  return Credentials{};
}

}  // namespace

Result<Credentials> find_credentials(const RegistryTarget& target, const RegistryOptions& options) {
  if (!target.user_env.empty() || !target.password_env.empty()) {
    Credentials creds{env(options, target.user_env), env(options, target.password_env)};
    if (!creds.user.empty() && !creds.password.empty()) return creds;
    const std::string& missing = creds.user.empty() ? target.user_env : target.password_env;
    if (!missing.empty()) {
      return fail(ErrorKind::config, fmt::format("registry {}: the environment variable {} (credentials) is not "
                                                 "set: export it or remove it from wharf.toml",
                                                 target.registry, missing));
    }
  }
  return from_docker_config(target, options);
}

Challenge parse_challenge(std::string_view header) {
  Challenge out;
  std::size_t i = 0;
  while (i < header.size() && std::isspace(static_cast<unsigned char>(header[i]))) ++i;
  while (i < header.size() && !std::isspace(static_cast<unsigned char>(header[i]))) {
    out.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++])));
  }
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ',' || std::isspace(static_cast<unsigned char>(header[i])))) ++i;
    std::string key;
    while (i < header.size() && header[i] != '=' && header[i] != ',') {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(header[i++])));
    }
    if (i >= header.size() || header[i] != '=') continue;
    ++i;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      ++i;
    } else {
      while (i < header.size() && header[i] != ',') value += header[i++];
    }
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    if (!key.empty()) out.params[key] = value;
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return fail(ErrorKind::config, "not base64");
    bits = (bits << 6) | static_cast<std::uint32_t>(pos);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

}  // namespace wharf::push
