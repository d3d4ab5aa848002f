// `wharf explain SERVICE`: why the service's input key differs from the key
// of the artifact last built for it.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/run.h"
#include "workspace/explain.h"

namespace wharf::cli {
namespace {

std::string indented(const std::string& text) {
  std::string out;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    out += "  " + text.substr(start, end - start + 1);
    start = end + 1;
  }
  return out;
}

Result<int> run_explain(const GlobalOptions& global, const std::string& service) {
  auto workspace = workspace::Workspace::open(global.options, global.host);
  if (!workspace) return std::unexpected(workspace.error());
  auto e = workspace::explain_service(*workspace, service);
  if (!e) return std::unexpected(e.error());
  if (!e->last_built) {
    std::cout << fmt::format("{}: nothing was ever built for this service in {}\n  current key {} ({} files)\n",
                             e->service, workspace->cache_dir(), e->current_key, e->input_files);
  } else if (e->unchanged()) {
    std::cout << fmt::format("{}: unchanged: key {} is the key of the artifact last built\n", e->service,
                             e->current_key);
  } else {
    std::cout << fmt::format("{}: key {} differs from the key of the artifact last built, {}\n  ({})\n", e->service,
                             e->current_key, *e->last_built,
                             e->current_cached ? "an artifact for it is cached" : "no artifact for it is cached");
    if (!e->have_old_transcript) {
      std::cout << "  the cache holds no transcript for the last built key, so what changed cannot be told\n";
    } else if (e->changes.empty()) {
      std::cout << "  no field differs (the key format changed?)\n";
    } else {
      std::cout << indented(hashing::format_changes(e->changes));
    }
  }
  return 0;
}

}  // namespace

void add_explain_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto service = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("explain", "Why a service's input key differs from its last built artifact's");
  sub->add_option("service", *service, "The service")->required();
  sub->callback([&global, &action, service] { action = [&global, service] { return run_explain(global, *service); }; });
}

}  // namespace wharf::cli
