// Command-line entry point: parses flags with CLI11, runs one subcommand, and
// is the one place that turns an Error into "wharf: error: ..." and an exit
// code (0 ok, 1 --exit-code found work, 2 usage/config, 3 repository/io).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "util/error.h"
#include "util/stopwatch.h"
#include "workspace/workspace.h"

namespace wharf::cli {

int run(int argc, char** argv);

// Options every subcommand shares: -C, --config and --cache-dir, before or
// after the subcommand's name.
struct GlobalOptions {
  workspace::Options options;
  workspace::Host host;            // the real process, warnings to stderr
  Stopwatch* stopwatch = nullptr;  // phase times for --stats; laps are taken when set

  void lap(std::string_view name) const {
    if (stopwatch) stopwatch->lap(name);
  }
};

// A subcommand's body, chosen while parsing and run afterwards; returns the
// exit code on success.
using Action = std::function<Result<int>()>;

// Each subcommand registers itself and, when selected, sets `action`.
void add_plan_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_graph_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_cache_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_hash_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_explain_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_build_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_record_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_status_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_verify_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_deploy_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_promote_command(CLI::App& app, const GlobalOptions& global, Action& action);
void add_init_command(CLI::App& app, const GlobalOptions& global, Action& action);

}  // namespace wharf::cli
