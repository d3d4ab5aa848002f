// Reads the live value of each service in an environment from its source
// (graph/environment_config.h): HTTP endpoints through one HttpClient, all
// at once; commands in parallel (env/command_runner.h); a JSON file; or the
// ledger's entries, passed in. Every read has the environment's timeout and
// all of them its deadline. A failed read is a value naming the service, the
// URL or command, and what came back (cut short), never an exception or a
// whole-run error.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/environment_config.h"
#include "net/http_client.h"

namespace wharf::env {

struct LiveRead {
  std::string service;
  graph::LiveSourceKind kind = graph::LiveSourceKind::ledger;
  std::string origin;              // "GET <url>", "command `...`", "file <path>", "ledger <env>"
  std::optional<std::string> raw;  // what the source said, before sha_pattern
  std::optional<std::string> rev;  // what to plan from; unset: not live, or `error`
  std::string error;               // "" when the read worked
};

struct LiveContext {
  std::string repo_root;                                                 // `file` paths and commands start here
  std::function<std::optional<std::string>(const std::string&)> getenv;  // header values
  std::map<std::string, std::string> ledger;                             // service -> recorded SHA, this environment
  net::HttpClient* http = nullptr;                                       // needed when a service reads over http
  std::size_t max_parallel_commands = 32;
};

// One LiveRead per service of `services`, in that order. The reads end by
// the environment's deadline from now.
std::vector<LiveRead> read_live(const graph::EnvironmentConfig& environment, const std::vector<std::string>& services,
                                const LiveContext& context);

// `{service}` replaced by `service` in `text`.
std::string substitute(std::string_view text, std::string_view service);

// The SHA in `value` by `pattern` (group 1, else the whole match); `value`
// itself when the pattern is empty; nullopt when it does not match.
std::optional<std::string> extract_sha(const std::string& value, const std::string& pattern);

// The value at a dotted path ("build.git_sha") of a JSON document, as text
// (strings as they are, numbers printed); an error sentence otherwise.
std::expected<std::string, std::string> json_field(std::string_view body, std::string_view path);

}  // namespace wharf::env
