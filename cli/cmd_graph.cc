// `wharf graph`: each service's input set.
#include <iostream>
#include <memory>

#include "cli/run.h"
#include "graph/render.h"

namespace wharf::cli {

void add_graph_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* sub = app.add_subcommand("graph", "Print each service's input set (own paths, packages, workspace inputs)");
  sub->add_option("--format", *format, "text, json or dot (graphviz)")->check(CLI::IsMember({"text", "json", "dot"}));
  sub->callback([&global, &action, format] {
    action = [&global, format]() -> Result<int> {
      auto workspace = workspace::Workspace::open(global.options, global.host);
      if (!workspace) return std::unexpected(workspace.error());
      const auto& graph = workspace->graph();
      if (*format == "json") {
        std::cout << graph::graph_to_json(graph);
      } else if (*format == "dot") {
        std::cout << graph::graph_to_dot(graph);
      } else {
        std::cout << graph::graph_to_text(graph);
      }
      return 0;
    };
  });
}

}  // namespace wharf::cli
