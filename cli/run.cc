#include "cli/run.h"

#include <iostream>

#include <fmt/format.h>

#include "util/heap.h"

namespace wharf::cli {

int run(int argc, char** argv) {
  Stopwatch stopwatch;
  CLI::App app{"wharf: what must be rebuilt and redeployed in a monorepo, and the artifacts", "wharf"};
  app.set_version_flag("--version", "wharf 0.1.0");
  app.require_subcommand(1);
  GlobalOptions global;
  global.stopwatch = &stopwatch;
  app.add_option("-C", global.directory, "Run as if wharf was started in this directory");
  app.add_option("--config", global.config, "The config file (default: wharf.toml at the repository root)");

  Action action;
  add_plan_command(app, global, action);
  add_graph_command(app, global, action);
  add_cache_command(app, global, action);
  add_hash_command(app, global, action);
  add_explain_command(app, global, action);

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
  Result<int> result = action();
  if (!result) {
    std::cout.flush();
    std::cerr << "wharf: error: " << result.error().message << "\n";
    return exit_code_for(result.error().kind);
  }
  return *result;
}

}  // namespace wharf::cli
