#include "env/handoff.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "env/live_reader.h"
#include "plan/plan_output.h"

namespace wharf::env {
namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string short_sha(const std::optional<std::string>& sha) { return sha ? sha->substr(0, 7) : "-"; }

// A DOT identifier, quoted.
std::string dot_id(std::string_view name) { return nlohmann::json(std::string(name)).dump(); }

}  // namespace

std::string image_tag(std::string_view tag_template, std::string_view service, std::string_view sha) {
  std::string out = replace_all(std::string(tag_template), "{sha7}", sha.substr(0, 7));
  out = replace_all(std::move(out), "{sha}", sha);
  return replace_all(std::move(out), "{service}", service);
}

std::string to_terraform(const plan::Plan& plan, const graph::EnvironmentConfig* environment, bool all_tags) {
  std::vector<std::pair<std::string, std::string>> tags;
  for (const plan::ServicePlan& service : plan.services) {
    const std::string tag_template = environment ? environment->source_for(service.name).tag : "{sha7}";
    if (service.action == plan::Action::deploy) {
      tags.emplace_back(service.name, image_tag(tag_template, service.name, plan.head));
    } else if (all_tags && service.base) {
      tags.emplace_back(service.name, image_tag(tag_template, service.name, *service.base));
    }
  }
  return to_terraform_tags(tags);
}

std::string to_terraform_tags(const std::vector<std::pair<std::string, std::string>>& tags) {
  nlohmann::ordered_json map = nlohmann::ordered_json::object();
  for (const auto& [service, tag] : tags) map[service] = tag;
  nlohmann::ordered_json out;
  out["image_tags"] = std::move(map);
  return out.dump(2) + "\n";
}

Result<std::string> to_targets(const plan::Plan& plan, const graph::EnvironmentConfig* environment) {
  if (!environment) {
    return fail(ErrorKind::usage,
                "--format targets needs --env NAME: the addresses come from the environment's "
                "`terraform` key");
  }
  std::string out;
  for (const plan::ServicePlan& service : plan.services) {
    if (service.action != plan::Action::deploy) continue;
    const auto& addresses = environment->source_for(service.name).terraform;
    if (addresses.empty()) {
      return fail(ErrorKind::config,
                  fmt::format("service '{}' is to deploy but environment '{}' gives it no terraform addresses; add "
                              "terraform = [\"module.svc[\\\"{{service}}\\\"]\"] to [environment.{}] or "
                              "[environment.{}.service.{}]",
                              service.name, environment->name, environment->name, environment->name, service.name));
    }
    for (const auto& address : addresses) out += "-target=" + substitute(address, service.name) + "\n";
  }
  return out;
}

std::string to_github_matrix(const plan::Plan& plan) {
  nlohmann::ordered_json include = nlohmann::ordered_json::array();
  for (const plan::ServicePlan& service : plan.services) {
    if (service.action != plan::Action::deploy) continue;
    nlohmann::ordered_json row;
    row["service"] = service.name;
    row["base"] = service.base ? nlohmann::ordered_json(*service.base) : nlohmann::ordered_json(nullptr);
    row["reason"] = service.reasons.empty() ? "" : plan::to_string(service.reasons.front().kind);
    include.push_back(std::move(row));
  }
  nlohmann::ordered_json out;
  out["include"] = std::move(include);
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string to_markdown(const plan::Plan& plan) {
  // Table cells: a '|' would end the cell, a newline the row.
  auto cell = [](std::string text) {
    text = replace_all(std::move(text), "|", "\\|");
    return replace_all(std::move(text), "\n", " ");
  };
  std::size_t deploys = 0;
  std::string rows;
  for (const plan::ServicePlan& service : plan.services) {
    const bool deploy = service.action == plan::Action::deploy;
    deploys += deploy;
    std::string why = deploy && !service.reasons.empty() ? plan::describe(service.reasons.front()) : "no input changed";
    if (deploy && service.reasons.size() > 1) why += fmt::format(" +{} more", service.reasons.size() - 1);
    if (service.drift) {
      why += fmt::format("; drift: live `{}`, ledger `{}`", service.drift->live.substr(0, 7),
                         service.drift->recorded.substr(0, 7));
    }
    rows += fmt::format("| {} | {} | `{}` → `{}` | {} |\n", cell(service.name), deploy ? "**DEPLOY**" : "skip",
                        short_sha(service.base), plan.head.substr(0, 7), cell(why));
  }
  std::string out;
  if (deploys == 0) {
    out += fmt::format("Nothing to deploy at `{}`: no service's inputs changed since its live SHA.\n\n",
                       plan.head.substr(0, 7));
  } else {
    out += fmt::format("**{} to deploy**, {} to skip at `{}`.\n\n", deploys, plan.services.size() - deploys,
                       plan.head.substr(0, 7));
  }
  out += "| service | action | live → head | why |\n|---|---|---|---|\n" + rows;
  return out;
}

std::string to_dot(const plan::Plan& plan, const graph::Graph& graph) {
  const graph::Config& config = graph.config();
  std::map<std::string, const plan::ServicePlan*> planned;
  for (const auto& service : plan.services) planned[service.name] = &service;
  // Edges by which a change reached a service: from the service along
  // `deps` to each package a reason names (the first path breadth-first),
  // and from the workspace inputs.
  std::set<std::pair<std::string, std::string>> hot;  // (from, to) as drawn: dependency -> dependent
  bool workspace_hot = false;
  std::map<std::string, const graph::ComponentConfig*> components;
  for (const auto& package : config.packages) components[package.name] = &package;
  for (const auto& service : config.services) components[service.name] = &service;
  for (const auto& service : plan.services) {
    if (service.action != plan::Action::deploy) continue;
    for (const plan::Reason& reason : service.reasons) {
      if (reason.kind == plan::ReasonKind::workspace) {
        hot.emplace("workspace", service.name);
        workspace_hot = true;
      }
      if (reason.kind != plan::ReasonKind::package) continue;
      std::map<std::string, std::string> parent;
      std::deque<std::string> queue = {service.name};
      parent[service.name] = "";
      while (!queue.empty() && !parent.contains(reason.via)) {
        auto it = components.find(queue.front());
        queue.pop_front();
        if (it == components.end()) continue;
        for (const auto& dep : it->second->deps) {
          if (parent.emplace(dep.name, it->first).second) queue.push_back(dep.name);
        }
      }
      for (std::string at = reason.via; parent.contains(at) && !parent[at].empty(); at = parent[at]) {
        hot.emplace(at, parent[at]);
      }
    }
  }
  std::string out = "digraph wharf {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  if (!config.workspace.inputs.empty()) {
    out += fmt::format("  \"workspace\" [shape=note, label=\"workspace inputs\"{}];\n",
                       workspace_hot ? ", color=red, fontcolor=red" : "");
  }
  for (const auto& package : config.packages) {
    out += fmt::format("  {} [shape=ellipse];\n", dot_id(package.name));
  }
  for (const auto& service : config.services) {
    auto it = planned.find(service.name);
    const bool deploy = it != planned.end() && it->second->action == plan::Action::deploy;
    out += fmt::format("  {} [shape=box{}];\n", dot_id(service.name),
                       deploy ? ", style=filled, fillcolor=\"#f4a3a3\", color=red" : "");
  }
  auto edges = [&](const graph::ComponentConfig& component) {
    for (const auto& dep : component.deps) {
      const bool red = hot.contains({dep.name, component.name});
      out += fmt::format("  {} -> {}{};\n", dot_id(dep.name), dot_id(component.name),
                         red ? " [color=red, penwidth=2]" : " [color=gray]");
    }
  };
  for (const auto& package : config.packages) edges(package);
  for (const auto& service : config.services) edges(service);
  for (const auto& [from, to] : hot) {
    if (from == "workspace") out += fmt::format("  \"workspace\" -> {} [color=red, penwidth=2];\n", dot_id(to));
  }
  out += "}\n";
  return out;
}

Result<void> append_github_output(const std::string& path, const plan::Plan& plan) {
  std::string matrix = to_github_matrix(plan);
  std::string lines = "matrix=" + matrix + "any=" + (plan.any_deploy() ? "true" : "false") + "\n";
  std::ofstream out(path, std::ios::app | std::ios::binary);
  if (!out) return fail(ErrorKind::io, fmt::format("{}: cannot open $GITHUB_OUTPUT: {}", path, std::strerror(errno)));
  out << lines;
  out.flush();
  if (!out) return fail(ErrorKind::io, fmt::format("{}: cannot write $GITHUB_OUTPUT: {}", path, std::strerror(errno)));
  return ok();
}

}  // namespace wharf::env
