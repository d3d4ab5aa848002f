#include "graph/render.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wharf::graph {

std::string graph_to_text(const Graph& graph) {
  std::string out;
  for (const auto& service : graph.services()) {
    out += fmt::format("service {}\n", service.name);
    for (const auto& input : service.inputs) {
      std::string route = input.kind == InputKind::package     ? fmt::format("package {}", input.via())
                          : input.kind == InputKind::workspace ? "workspace input"
                                                               : "own path";
      out += fmt::format("  + {:<40}  {}\n", input.pattern().text(), route);
      if (input.own_excludes()) {
        for (const auto& exclude : *input.own_excludes()) out += fmt::format("    - {}\n", exclude.pattern.text());
      }
    }
    for (const auto* exclude : service.excludes) out += fmt::format("  - {}\n", exclude->pattern.text());
  }
  return out;
}

std::string graph_to_json(const Graph& graph) {
  const Config& config = graph.config();
  auto texts = [](const std::vector<PatternEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& entry : entries) out.push_back(entry.pattern.text());
    return out;
  };
  nlohmann::ordered_json out;
  out["workspace"] = {{"inputs", texts(config.workspace.inputs)}, {"exclude", texts(config.workspace.exclude)}};
  out["packages"] = nlohmann::ordered_json::array();
  for (const auto& package : config.packages) {
    std::vector<std::string> deps;
    for (const auto& dep : package.deps) deps.push_back(dep.name);
    out["packages"].push_back(
        {{"name", package.name}, {"paths", texts(package.paths)}, {"exclude", texts(package.exclude)}, {"deps", deps}});
  }
  out["services"] = nlohmann::ordered_json::array();
  for (const auto& service : graph.services()) {
    nlohmann::ordered_json row;
    row["name"] = service.name;
    row["packages"] = nlohmann::ordered_json::array();
    for (std::string_view package : service.packages) row["packages"].push_back(package);
    row["inputs"] = nlohmann::ordered_json::array();
    for (const auto& input : service.inputs) {
      nlohmann::ordered_json item = {
          {"pattern", input.pattern().text()}, {"kind", to_string(input.kind)}, {"via", input.via()}};
      if (input.own_excludes() && !input.own_excludes()->empty()) item["exclude"] = texts(*input.own_excludes());
      row["inputs"].push_back(std::move(item));
    }
    std::vector<std::string> excludes;
    for (const auto* exclude : service.excludes) excludes.push_back(exclude->pattern.text());
    row["exclude"] = excludes;
    std::vector<std::string> env;
    for (const auto& var : service.config->env) env.push_back(var.name);
    row["env"] = env;
    row["build"] = service.config->build.value;
    out["services"].push_back(std::move(row));
  }
  return out.dump(2) + "\n";
}

namespace {

std::string dot_id(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string graph_to_dot(const Graph& graph) {
  const Config& config = graph.config();
  std::string out = "digraph wharf {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  out += "  \"workspace\" [shape=folder, label=\"workspace inputs\"];\n";
  for (const auto& package : config.packages) {
    out += fmt::format("  {} [shape=component, label={}];\n", dot_id("package:" + package.name), dot_id(package.name));
  }
  for (const auto& service : config.services) {
    out += fmt::format("  {} [shape=box, style=bold, label={}];\n", dot_id("service:" + service.name),
                       dot_id(service.name));
  }
  for (const auto& package : config.packages) {
    for (const auto& dep : package.deps) {
      out += fmt::format("  {} -> {};\n", dot_id("package:" + package.name), dot_id("package:" + dep.name));
    }
  }
  for (const auto& service : config.services) {
    for (const auto& dep : service.deps) {
      out += fmt::format("  {} -> {};\n", dot_id("service:" + service.name), dot_id("package:" + dep.name));
    }
    out += fmt::format("  {} -> \"workspace\" [style=dashed];\n", dot_id("service:" + service.name));
  }
  out += "}\n";
  return out;
}

}  // namespace wharf::graph
