// `wharf init`: print, write or check the wharf.toml block inferred from the
// repository (workspace/init.h).
#include <iostream>
#include <memory>

#include "cli/run.h"
#include "fs/real_file_system.h"
#include "workspace/init.h"

namespace wharf::cli {
namespace {

struct InitFlags {
  workspace::InitRequest request;
  bool write = false;
  bool check = false;
};

Result<int> run_init(const GlobalOptions& global, InitFlags flags) {
  if (flags.write && flags.check) return fail(ErrorKind::usage, "--write and --check: choose one");
  flags.request.mode = flags.write   ? workspace::InitMode::write
                       : flags.check ? workspace::InitMode::check
                                     : workspace::InitMode::print;
  fs::RealFileSystem files;
  auto result = workspace::run_init(global.options, global.host, files, flags.request);
  if (!result) return std::unexpected(result.error());
  std::cout << result->output;
  std::cout.flush();
  if (!result->summary.empty()) std::cerr << "wharf: " << result->summary << "\n";
  return result->exit_code;
}

}  // namespace

void add_init_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<InitFlags>();
  CLI::App* sub = app.add_subcommand(
      "init", "Infer wharf.toml from compose files, skaffold.yaml, workspaces and Dockerfiles (printed; --write to save)");
  sub->add_flag("--write", flags->write,
                "Create wharf.toml, or replace only its inferred block; hand-written tables outside it are kept and win");
  sub->add_flag("--check", flags->check, "Exit 1 and show the difference when the inferred block is out of date (CI)");
  sub->add_option("--rev", flags->request.rev, "The commit to infer from (default HEAD)");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_init(global, *flags); }; });
}

}  // namespace wharf::cli
