// Runs shell commands in parallel, each in its own process group, with a
// timeout per command and a deadline for all: what the `command` live source
// needs (an `aws ecs ... | jq` or `kubectl ... -o jsonpath` line per service).
//
// One thread waits on every child's pipes with poll(): the commands spend
// their time waiting on the network, so as many run at once as `max_parallel`
// allows, not as many as there are cores (a thread pool blocked in read()
// would cap them at the cores).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wharf::env {

struct CommandSpec {
  std::string command;                                   // run as /bin/sh -c COMMAND
  std::vector<std::pair<std::string, std::string>> env;  // set (or replaced) in its environment
  std::string directory;                                 // its working directory ("" = ours)
  std::chrono::milliseconds timeout{10'000};
};

struct CommandResult {
  bool started = false;    // false: `error` says why it could not be run
  bool timed_out = false;  // killed (its whole process group) at its timeout or the deadline
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  std::string out;         // stdout, at most kMaxCommandOutput bytes
  std::string err;         // stderr, the same
  std::string error;
};

inline constexpr std::size_t kMaxCommandOutput = 64 * 1024;

// Runs every command, at most `max_parallel` at once, and returns one result
// per command in order. A command still running at its timeout or at
// `deadline` has its process group killed (SIGKILL), so a hung pipeline's
// children go too; returns by `deadline` plus the time to reap them.
std::vector<CommandResult> run_commands(std::span<const CommandSpec> commands, std::size_t max_parallel,
                                        std::chrono::steady_clock::time_point deadline);

}  // namespace wharf::env
