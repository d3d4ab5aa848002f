// [environment.NAME] tables of wharf.toml: where the live SHA of each
// service in an environment (dev, prod, ...) is read from, with per-service
// overrides. README.md "Environments" has the schema.
//
// They are not part of Config (nor of its snapshot, nor of any input key):
// parse_config only checks them; commands that take --env read them with
// load_environments().
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/config.h"
#include "graph/push_target.h"
#include "util/error.h"

namespace wharf::graph {

enum class LiveSourceKind { ledger, http, command, file };
const char* to_string(LiveSourceKind kind);

// How one service's live value is read, after its overrides are applied.
struct LiveSource {
  LiveSourceKind kind = LiveSourceKind::ledger;
  std::string url;                                           // http: "{service}" substituted
  std::string field = "version";                             // http: a JSON field path, "build.git_sha"
  std::vector<std::pair<std::string, std::string>> headers;  // http: header name -> environment variable
  std::string command;                                       // command: /bin/sh; "{service}" substituted
  std::string file;                                          // file: a JSON map, relative to the repository root
  std::string sha_pattern;                                   // ECMAScript regex; group 1 (or the match) is the SHA
  std::string tag = "{sha7}";                                // --format terraform: {sha}, {sha7}, {service}
  std::vector<std::string> terraform;                        // --format targets: addresses, "{service}" substituted
};

struct EnvironmentConfig {
  std::string name;
  SourceLocation where;
  LiveSource defaults;
  std::map<std::string, LiveSource> services;  // services with overrides, merged over `defaults`
  std::chrono::milliseconds timeout{10'000};   // one read
  std::chrono::milliseconds deadline{60'000};  // all reads of a run
  bool confirm = false;                         // deploys ask on a terminal (--yes skips)
  PushTarget push;                              // [environment.NAME.push]
  std::map<std::string, PushTarget> service_push;  // with a service's push table merged over `push`

  const LiveSource& source_for(const std::string& service) const {
    auto it = services.find(service);
    return it == services.end() ? defaults : it->second;
  }
  const PushTarget& push_for(const std::string& service) const {
    auto it = service_push.find(service);
    return it == service_push.end() ? push : it->second;
  }
};

// Reads the [environment.*] tables of wharf.toml text; `services` are the
// configured service names (an override of another name is an error).
// Errors (ErrorKind::config) as parse_config's: "file:line:col: message",
// one per line.
Result<std::vector<EnvironmentConfig>> load_environments(std::string_view text, std::string_view file,
                                                         const std::vector<std::string>& services);

// The environment called `name`, or ErrorKind::usage naming the ones there
// are (and the nearest).
Result<const EnvironmentConfig*> find_environment(const std::vector<EnvironmentConfig>& environments,
                                                  std::string_view name, std::string_view file);

// "10s", "500ms", "2m" or a number of seconds; nullopt when not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace wharf::graph
