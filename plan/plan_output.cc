#include "plan/plan_output.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wharf::plan {

namespace {

// A JSON string literal. nlohmann does the escaping; building the whole
// document as nlohmann values cost ~12% of a 500-service plan (callgrind),
// and a json value per string still ~7%. Names, SHAs and paths are nearly
// always plain printable ASCII, which JSON takes as it is.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7f; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

void append_string(std::string& out, std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) { return kPlain[static_cast<unsigned char>(c)]; });
  if (!plain) {
    out += nlohmann::json(text).dump();
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

// ", "live": {...}, "drift": {...}" for plans of an environment.
void append_environment_fields(std::string& out, const ServicePlan& service) {
  if (service.live) {
    const LiveInfo& live = *service.live;
    out += ",\n     \"live\": {\"source\": ";
    append_string(out, live.source);
    out += ", \"origin\": ";
    append_string(out, live.origin);
    out += ", \"value\": ";
    if (live.value) {
      append_string(out, *live.value);
    } else {
      out += "null";
    }
    if (!live.error.empty()) {
      out += ", \"error\": ";
      append_string(out, live.error);
    }
    out += "}";
  }
  if (service.drift) {
    out += ",\n     \"drift\": {\"live\": ";
    append_string(out, service.drift->live);
    out += ", \"recorded\": ";
    append_string(out, service.drift->recorded);
    out += "}";
  }
}

}  // namespace

std::string plan_to_json(const Plan& plan) {
  std::string out;
  out.reserve(256 + plan.services.size() * 512);
  out += "{\n  \"head\": ";
  append_string(out, plan.head);
  out += ",\n  \"services\": [";
  for (std::size_t i = 0; i < plan.services.size(); ++i) {
    const ServicePlan& service = plan.services[i];
    out += i ? ",\n    {\"name\": " : "\n    {\"name\": ";
    append_string(out, service.name);
    out += service.action == Action::deploy ? ", \"action\": \"deploy\", \"base\": "
                                            : ", \"action\": \"skip\", \"base\": ";
    if (service.base) {
      append_string(out, *service.base);
    } else {
      out += "null";
    }
    if (!service.base_rev.empty()) {
      out += ", \"base_rev\": ";
      append_string(out, service.base_rev);
    }
    out += ",\n     \"reasons\": [";
    for (std::size_t r = 0; r < service.reasons.size(); ++r) {
      const Reason& reason = service.reasons[r];
      out += r ? ", {\"kind\": " : "{\"kind\": ";
      append_string(out, to_string(reason.kind));
      out += ", \"path\": ";
      append_string(out, reason.path);
      out += ", \"via\": ";
      append_string(out, reason.via);
      if (reason.uncommitted) out += ", \"uncommitted\": true";
      if (!reason.detail.empty()) {
        out += ", \"detail\": ";
        append_string(out, reason.detail);
      }
      out += "}";
    }
    out += "]";
    append_environment_fields(out, service);
    out += "}";
  }
  out += plan.services.empty() ? "],\n  \"orphans\": [" : "\n  ],\n  \"orphans\": [";
  for (std::size_t i = 0; i < plan.orphans.size(); ++i) {
    if (i) out += ", ";
    append_string(out, plan.orphans[i]);
  }
  out += "]\n}\n";
  return out;
}

std::string describe(const Reason& reason) {
  std::string where = reason.uncommitted ? " (uncommitted)" : "";
  switch (reason.kind) {
    case ReasonKind::path:
      return fmt::format("{}{} (own path)", reason.path, where);
    case ReasonKind::package:
      return fmt::format("{}{} (package {})", reason.path, where, reason.via);
    case ReasonKind::workspace:
      if (!reason.detail.empty()) return fmt::format("{}{} ({})", reason.path, where, reason.detail);
      return fmt::format("{}{} (workspace input)", reason.path, where);
    case ReasonKind::not_live:
      return "not live";
    case ReasonKind::missing_base:
      return "live SHA not in this repository (--missing-base=deploy)";
    case ReasonKind::live_error:
      return fmt::format("live state unreadable (--missing-base=deploy): {}", reason.path);
  }
  return "";
}

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
    if (service.drift) {
      out += fmt::format("drift   {:<{}}  live {} but the ledger recorded {} (deployed outside wharf?)\n", service.name,
                         width, service.drift->live.substr(0, 7), service.drift->recorded.substr(0, 7));
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
