#include "cli/run.h"

#include <algorithm>
#include <iostream>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "util/heap.h"

namespace wharf::cli {
namespace {

using AddCommand = void (*)(CLI::App&, const GlobalOptions&, Action&);

struct Command {
  std::string_view name;
  AddCommand add;
};

constexpr Command kCommands[] = {
    {"plan", add_plan_command},     {"graph", add_graph_command},     {"cache", add_cache_command},
    {"hash", add_hash_command},     {"explain", add_explain_command}, {"build", add_build_command},
    {"record", add_record_command}, {"status", add_status_command},   {"verify", add_verify_command},
    {"deploy", add_deploy_command}, {"promote", add_promote_command}, {"init", add_init_command},
};

// The subcommand named on the command line: the first argument that is not
// a global option or its value; "" when an option comes first (--help,
// --version, a typo) or there is none.
std::string_view named_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-C" || arg == "--config" || arg == "--cache-dir") {
      ++i;
      continue;
    }
    if (arg.starts_with('-')) return {};
    return arg;
  }
  return {};
}

}  // namespace

int run(int argc, char** argv) {
  Stopwatch stopwatch;
  CLI::App app{"wharf: what must be rebuilt and redeployed in a monorepo, and the artifacts", "wharf"};
  app.set_version_flag("--version", "wharf 0.1.0");
  app.require_subcommand(1);
  // Global options are looked for after the subcommand's name too (`wharf
  // plan --config F`), as users type them; subcommands created below
  // inherit this.
  app.fallthrough();
  GlobalOptions global;
  global.stopwatch = &stopwatch;
  global.host = workspace::Host::real();
  global.host.warn = [](std::string_view warning) {
    std::cout.flush();
    std::cerr << "wharf: warning: " << warning << "\n";
  };
  global.host.output = [](std::string_view text) {
    std::cout.flush();
    std::cerr << text << std::flush;
  };
  app.add_option("-C", global.options.directory, "Run as if wharf was started in this directory");
  app.add_option("--config", global.options.config, "The config file (default: wharf.toml at the repository root)");
  app.add_option("--cache-dir", global.options.cache_dir,
                 "The cache directory (default: $WHARF_CACHE_DIR, else .wharf/cache at the repository root)");

  // Only the command that runs is registered when the command line names
  // one: building every subcommand's options costs more than parsing
  // (~0.1 ms of a 6 ms plan). Help, version and errors see them all.
  Action action;
  const std::string_view named = named_command(argc, argv);
  const auto* only = std::find_if(std::begin(kCommands), std::end(kCommands),
                                  [&](const Command& command) { return command.name == named; });
  for (const Command& command : kCommands) {
    if (only == std::end(kCommands) || &command == only) command.add(app, global, action);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, version or the parse error
    return code == 0 ? 0 : 2;
  }
  if (!action) return 2;
  // A command is about to run (not --help or --version): see util/heap.h.
  reserve_heap(std::size_t{16} << 20);
  stopwatch.lap("args");
  Result<int> result = fail(ErrorKind::io, "");
  try {
    result = action();
  } catch (const std::exception& e) {
    // Errors are values everywhere below; what still throws is out of memory
    // or a library's exception (oneTBB forwards a worker's): report it as
    // one, never abort.
    result = fail(ErrorKind::io, fmt::format("{} (unexpected; please report it)", e.what()));
  }
  if (!result) {
    std::cout.flush();
    std::cerr << "wharf: error: " << result.error().message << "\n";
    return exit_code_for(result.error().kind);
  }
  return *result;
}

}  // namespace wharf::cli
