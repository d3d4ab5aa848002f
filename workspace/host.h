// What a command needs from the process around it, passed in so the
// workspace library runs in tests without a terminal, a real environment or a
// real clock: environment variables, the time, and where warnings go.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cache/artifact_store.h"
#include "hashing/service_key.h"

namespace wharf::workspace {

struct Host {
  hashing::EnvLookup getenv;                   // unset -> nullopt
  cache::Clock clock;                          // ns since the epoch
  std::function<void(std::string_view)> warn;    // one sentence, no "warning:" prefix
  std::function<void(std::string_view)> output;  // text for stderr as it is (git fetch's); unset: dropped

  // The real process: std::getenv, the system clock, warnings dropped (the
  // CLI sets its own `warn`).
  static Host real();
};

}  // namespace wharf::workspace
