// Command-line entry point: parses flags with CLI11, runs one subcommand, and
// is the one place that turns an Error into "wharf: error: ..." and an exit
// code (0 ok, 1 --exit-code found work, 2 usage/config, 3 repository/io).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "util/error.h"
#include "util/stopwatch.h"

namespace wharf::cli {

int run(int argc, char** argv);

// Options every subcommand shares.
struct GlobalOptions {
  std::string directory = ".";     // -C: run as if started here
  std::string config;              // --config: default <repo root>/wharf.toml
  Stopwatch* stopwatch = nullptr;  // phase times for --stats; laps are taken when set

  void lap(std::string_view name) const {
    if (stopwatch) stopwatch->lap(name);
  }
};

// A subcommand's body, chosen while parsing and run afterwards; returns the
// exit code on success.
using Action = std::function<Result<int>()>;

// Keeps `value` alive until the process exits and never destroys it. A
// command's last act would otherwise be freeing its config, graph and plan,
// thousands of small allocations that exit reclaims anyway (~3M instructions
// for a 500-service plan, callgrind; clang's -disable-free does the same).
// Reachable from a static, so leak checkers do not report it.
template <class T>
void keep_until_exit(T&& value) {
  static auto* kept = new std::vector<std::shared_ptr<void>>;
  kept->push_back(std::make_shared<std::decay_t<T>>(std::forward<T>(value)));
}

// Each subcommand registers itself and, when selected, sets `action`.
void add_plan_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_graph_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_cache_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_hash_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_explain_command(CLI::App& app, const GlobalOptions& global, Action& action);

}  // namespace wharf::cli
