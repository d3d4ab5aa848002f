#include "plan/plan_output.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wharf::plan {

std::string plan_to_json(const Plan& plan) {
  nlohmann::ordered_json out;
  out["head"] = plan.head;
  out["services"] = nlohmann::ordered_json::array();
  for (const auto& service : plan.services) {
    nlohmann::ordered_json row;
    row["name"] = service.name;
    row["action"] = service.action == Action::deploy ? "deploy" : "skip";
    row["base"] = service.base ? nlohmann::ordered_json(*service.base) : nlohmann::ordered_json(nullptr);
    if (!service.base_rev.empty()) row["base_rev"] = service.base_rev;
    row["reasons"] = nlohmann::ordered_json::array();
    for (const auto& reason : service.reasons) {
      nlohmann::ordered_json r;
      r["kind"] = to_string(reason.kind);
      r["path"] = reason.path;
      r["via"] = reason.via;
      if (reason.uncommitted) r["uncommitted"] = true;
      row["reasons"].push_back(std::move(r));
    }
    out["services"].push_back(std::move(row));
  }
  out["orphans"] = plan.orphans;
  return out.dump(2) + "\n";
}

namespace {

std::string describe(const Reason& reason) {
  std::string where = reason.uncommitted ? " (uncommitted)" : "";
  switch (reason.kind) {
    case ReasonKind::path: return fmt::format("{}{} (own path)", reason.path, where);
    case ReasonKind::package: return fmt::format("{}{} (package {})", reason.path, where, reason.via);
    case ReasonKind::workspace: return fmt::format("{}{} (workspace input)", reason.path, where);
    case ReasonKind::not_live: return "not live";
    case ReasonKind::missing_base: return "live SHA not in this repository (--missing-base=deploy)";
  }
  return "";
}

}  // namespace

std::string plan_to_text(const Plan& plan) {
  std::size_t width = 0;
  for (const auto& service : plan.services) width = std::max(width, service.name.size());
  for (const auto& orphan : plan.orphans) width = std::max(width, orphan.size());

  std::string out = fmt::format("head {}\n", plan.head);
  std::size_t deploys = 0;
  for (const auto& service : plan.services) {
    std::string base = service.base ? fmt::format(" since {}", service.base->substr(0, 7)) : "";
    if (service.action == Action::deploy) {
      ++deploys;
      std::string why = describe(service.reasons.front());
      if (service.reasons.size() > 1) why += fmt::format(" +{} more", service.reasons.size() - 1);
      out += fmt::format("DEPLOY  {:<{}}  {}{}\n", service.name, width, why, base);
    } else {
      out += fmt::format("skip    {:<{}}  no input changed{}\n", service.name, width, base);
    }
  }
  for (const auto& orphan : plan.orphans) {
    out += fmt::format("orphan  {:<{}}  live but not in the config; remove it from the environment\n", orphan, width);
  }
  out += fmt::format("{} to deploy, {} to skip, {} orphaned\n", deploys, plan.services.size() - deploys,
                     plan.orphans.size());
  return out;
}

}  // namespace wharf::plan
