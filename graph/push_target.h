// Where `wharf deploy` and `wharf promote` put a service's artifact in an
// environment: the table [environment.NAME.push], which
// [environment.NAME.service.SVC.push] overrides key by key for one service.
// README.md "Deploy" has the schema. push/ turns a PushTarget into a Pusher.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/config.h"

namespace wharf::graph {

enum class PushKind { none, registry, dir, http, command };
const char* to_string(PushKind kind);

struct PushTarget {
  PushKind kind = PushKind::none;  // none: the environment has no push table
  SourceLocation where;            // the `to` key that chose the kind
  // registry
  std::string registry;                   // host[:port]
  std::string repository = "{service}";   // a template
  bool insecure = false;                  // plain http, no TLS verification
  std::string user_env, password_env;     // environment variables holding credentials
  std::size_t parallel = 4;               // blob uploads at once
  // dir
  std::string path;  // a template; relative to the repository root
  // http
  std::string url;                                           // a template
  std::vector<std::pair<std::string, std::string>> headers;  // header -> environment variable
  // command
  std::string command;  // /bin/sh -c, at the repository root
  // all
  std::vector<std::string> tags;  // templates; empty: the tag `wharf build` gave the artifact
  std::chrono::milliseconds timeout{600'000};  // one push
};

// The names of the placeholders push templates may hold, as `{name}`
// (push/template.h expands them; the config reader checks them).
inline constexpr std::array<std::string_view, 9> kPushPlaceholders = {
    "service", "env", "sha", "short_sha", "key", "digest", "tag", "kind", "ext"};

}  // namespace wharf::graph
