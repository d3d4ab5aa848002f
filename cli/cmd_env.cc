// `wharf record`, `wharf status` and `wharf verify`: an environment's
// ledger, what is live against it, and waiting for a deploy to show.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/run.h"
#include "graph/environment_config.h"
#include "util/text.h"
#include "workspace/environment.h"

namespace wharf::cli {
namespace {

struct EnvFlags {
  std::string environment;
  std::string services;
  std::string sha = "HEAD";
  std::string timeout = "5m";
  bool json = false;
};

std::string short_sha(const std::optional<std::string>& sha) { return sha ? sha->substr(0, 7) : "-"; }

Result<int> run_record(const GlobalOptions& global, const EnvFlags& flags) {
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());
  workspace::RecordRequest request{flags.environment, split_list(flags.services, ','), flags.sha};
  auto entries = workspace::record_deploy(*workspace, request);
  if (!entries) return std::unexpected(entries.error());
  for (const auto& [service, entry] : *entries) {
    std::cout << fmt::format("recorded {} {} in {}{}\n", service, entry.sha.substr(0, 7), flags.environment,
                             entry.input_key.empty() ? "" : fmt::format(" (key {})", entry.input_key));
  }
  return 0;
}

Result<int> run_status(const GlobalOptions& global, const EnvFlags& flags) {
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());
  auto state = workspace::read_environment(*workspace, flags.environment, split_list(flags.services, ','));
  if (!state) return std::unexpected(state.error());
  if (flags.json) {
    nlohmann::ordered_json out;
    out["environment"] = state->environment.name;
    out["head"] = state->head;
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& s : state->services) {
      nlohmann::ordered_json row;
      row["service"] = s.read.service;
      row["state"] = workspace::state_name(s, state->head);
      row["source"] = graph::to_string(s.read.kind);
      row["origin"] = s.read.origin;
      row["value"] = s.read.raw ? nlohmann::ordered_json(*s.read.raw) : nlohmann::ordered_json(nullptr);
      row["live"] = s.live_sha ? nlohmann::ordered_json(*s.live_sha) : nlohmann::ordered_json(nullptr);
      row["recorded"] = s.recorded ? nlohmann::ordered_json(s.recorded->sha) : nlohmann::ordered_json(nullptr);
      if (!s.problem.empty()) row["error"] = s.problem;
      rows.push_back(std::move(row));
    }
    out["services"] = std::move(rows);
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::size_t width = 7;
  for (const auto& s : state->services) width = std::max(width, s.read.service.size());
  std::cout << fmt::format("environment {}, head {}\n", state->environment.name, state->head.substr(0, 7));
  std::cout << fmt::format("{:<{}}  {:<8}  {:<8}  {:<8}  {}\n", "service", width, "live", "recorded", "state",
                           "source");
  for (const auto& s : state->services) {
    std::string live = s.live_sha ? s.live_sha->substr(0, 7) : "-";
    std::cout << fmt::format("{:<{}}  {:<8}  {:<8}  {:<8}  {}\n", s.read.service, width, live,
                             short_sha(s.recorded ? std::optional(s.recorded->sha) : std::nullopt),
                             workspace::state_name(s, state->head), s.problem.empty() ? s.read.origin : s.problem);
  }
  return 0;
}

Result<int> run_verify(const GlobalOptions& global, const EnvFlags& flags) {
  auto timeout = graph::parse_duration(flags.timeout);
  if (!timeout)
    return fail(ErrorKind::usage,
                fmt::format("--timeout '{}' is not a duration like 5m, 90s or 500ms", printable(flags.timeout)));
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());
  workspace::VerifyRequest request;
  request.environment = flags.environment;
  request.services = split_list(flags.services, ',');
  request.expected = flags.sha;
  request.timeout = *timeout;
  auto result = workspace::verify_environment(*workspace, request);
  if (!result) return std::unexpected(result.error());
  std::size_t width = 7;
  for (const auto& row : result->rows) width = std::max(width, row.service.size());
  std::cout << fmt::format("{:<{}}  {:<8}  {:>7}  {}\n", "service", width, "expected", "seconds", "seen");
  std::vector<std::string> failed;
  for (const auto& row : result->rows) {
    std::cout << fmt::format("{:<{}}  {:<8}  {:>7.1f}  {}{}\n", row.service, width, result->expected.substr(0, 7),
                             row.seconds, printable(row.seen, 100), row.converged ? "" : "  (not converged)");
    if (!row.converged) failed.push_back(row.service);
  }
  if (!failed.empty()) {
    std::cout.flush();
    std::cerr << fmt::format("wharf: error: not converged to {} within {}: {}\n", result->expected.substr(0, 7),
                             flags.timeout, join(failed, ", "));
    return 1;
  }
  return 0;
}

CLI::App* add_env_options(CLI::App* sub, EnvFlags& flags) {
  sub->add_option("--env", flags.environment, "The environment (a table [environment.NAME] in wharf.toml)")->required();
  sub->add_option("--services", flags.services, "Only these services (a,b,c)");
  return sub;
}

}  // namespace

void add_record_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<EnvFlags>();
  CLI::App* sub = add_env_options(
      app.add_subcommand("record", "Record in the ledger that a revision is deployed to an environment"), *flags);
  sub->add_option("--sha", flags->sha, "The revision deployed (default HEAD)");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_record(global, *flags); }; });
}

void add_status_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<EnvFlags>();
  CLI::App* sub = add_env_options(
      app.add_subcommand("status", "Live, recorded and head SHA of each service in an environment"), *flags);
  sub->add_flag("--json", flags->json, "Print JSON");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_status(global, *flags); }; });
}

void add_verify_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<EnvFlags>();
  CLI::App* sub = add_env_options(
      app.add_subcommand("verify", "Wait until each service's live SHA is the expected one (default HEAD)"), *flags);
  sub->add_option("--sha", flags->sha, "The revision expected (default HEAD)");
  sub->add_option("--timeout", flags->timeout, "Give up after this long (default 5m)");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_verify(global, *flags); }; });
}

}  // namespace wharf::cli
