#include "workspace/deploy.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cache/size.h"
#include "plan/plan_output.h"
#include "util/text.h"
#include "workspace/environment.h"
#include "workspace/keys.h"
#include "workspace/push_steps.h"

namespace wharf::workspace {

bool DeployReport::any_failed() const {
  return std::any_of(services.begin(), services.end(),
                     [](const DeployedService& s) { return s.failed(); });
}

std::uint64_t DeployReport::bytes_sent() const {
  std::uint64_t total = 0;
  for (const DeployedService& s : services) total += s.bytes_sent;
  return total;
}

namespace {

// `wharf deploy --env E --sha REV`.
Result<DeployReport> rollback(Workspace& workspace, const Options& options, const DeployRequest& request,
                              const std::vector<graph::EnvironmentConfig>& all, const graph::EnvironmentConfig& env,
                              const DeployEvents& events, const std::atomic<bool>* cancel) {
  // --sha REV: one commit for every service; --to-ledger N: each service's
  // N-th deploy before its current one in this environment.
  std::string sha;
  if (request.to_ledger == 0) {
    auto commit = workspace.repo().resolve_commit(request.rollback);
    if (!commit) {
      return fail(ErrorKind::repository, fmt::format("--sha '{}' is not a commit in this repository: {}",
                                                     printable(request.rollback), commit.error().message));
    }
    sha = commit->hex();
  }
  auto selected = select_services(workspace.graph(), request.services);
  if (!selected) return std::unexpected(selected.error());
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  cache::Ledger& ledger = (*cache)->ledger();

  DeployReport report;
  report.environment = env.name;
  report.head = sha;
  report.dry_run = request.dry_run;
  std::map<std::string, cache::LedgerEntry> sources;
  std::vector<std::string> names;
  std::vector<std::pair<std::string, std::string>> listed;
  for (const graph::Service* service : *selected) {
    DeployedService& out = report.services.emplace_back();
    out.name = service->name;
    std::optional<cache::LedgerEntry> found;
    if (request.to_ledger > 0) {
      auto history = ledger.history(env.name, out.name);  // oldest first, the current one last
      if (!history) return std::unexpected(history.error());
      if (history->size() > request.to_ledger) found = (*history)[history->size() - 1 - request.to_ledger];
    } else {
      // This environment's history first, then the others'.
      std::vector<const graph::EnvironmentConfig*> order = {&env};
      for (const auto& other : all) {
        if (other.name != env.name) order.push_back(&other);
      }
      for (const graph::EnvironmentConfig* e : order) {
        auto history = ledger.history(e->name, out.name);
        if (!history) return std::unexpected(history.error());
        for (auto it = history->rbegin(); it != history->rend() && !found; ++it) {
          if (it->sha == sha && !it->input_key.empty()) found = *it;
        }
        if (found) break;
      }
    }
    const std::string target = found ? found->sha : sha;
    auto current = ledger.find(env.name, out.name);
    if (!current) return std::unexpected(current.error());
    if (*current && !target.empty() && (*current)->sha == target) {
      out.status = "skip";
      out.reason = fmt::format("already at {}", target.substr(0, 7));
      continue;
    }
    out.deploy = true;
    if (!found || found->input_key.empty()) {
      out.status = "refused";
      out.reason = request.to_ledger > 0
                       ? fmt::format("{} has no deploy {} before its current one in {}'s ledger (with its input key)",
                                     out.name, request.to_ledger, env.name)
                       : fmt::format("no deploy of {} at {} is recorded (in any environment) with its input key; "
                                     "`git revert` and deploy, or check {} out and run wharf deploy there",
                                     out.name, sha.substr(0, 7), sha.substr(0, 7));
      continue;
    }
    out.reason = fmt::format("rollback to {}", target.substr(0, 7));
    sources.emplace(out.name, *found);
    names.push_back(out.name);
    listed.emplace_back(out.name, out.reason);
  }
  if (names.empty()) {
    report.nothing_to_deploy = !report.any_failed();
    return report;
  }
  if (auto checked = check_push_targets(env, names, workspace); !checked) return std::unexpected(checked.error());
  if (env.confirm && !request.dry_run && events.confirm && !events.confirm(listed)) {
    return fail(ErrorKind::usage, fmt::format("rollback of {} not confirmed (pass --yes in scripts); nothing was "
                                              "pushed",
                                              env.name));
  }
  if (auto done = push_recorded(workspace, options, env, sources, request.out_dir, request.pushes, request.dry_run,
                                request.make_pusher, events.pushed, cancel, report);
      !done) {
    return std::unexpected(done.error());
  }
  if (request.dry_run) return report;
  // The handoff of a rollback names REV's tags: a plan whose head is REV.
  plan::Plan as_plan;
  as_plan.head = sha;
  for (const DeployedService& d : report.services) {
    plan::ServicePlan p;
    p.name = d.name;
    p.action = plan::Action::deploy;
    as_plan.services.push_back(std::move(p));
  }
  auto written = write_handoff(request, options, as_plan, env, report.services);
  if (!written) return std::unexpected(written.error());
  report.written = std::move(*written);
  return report;
}

}  // namespace
Result<DeployReport> deploy(Workspace& workspace, const Options& options, const DeployRequest& request,
                            const DeployEvents& events, const std::atomic<bool>* cancel) {
  auto all = environments(workspace);
  if (!all) return std::unexpected(all.error());
  auto environment = environment_named(*all, request.environment, workspace);
  if (!environment) return std::unexpected(environment.error());
  const graph::EnvironmentConfig& env = **environment;
  if (!request.rollback.empty() || request.to_ledger > 0) {
    if (!request.rollback.empty() && request.to_ledger > 0) {
      return fail(ErrorKind::usage, "--sha and --to-ledger both say what to roll back to; give one");
    }
    return rollback(workspace, options, request, *all, env, events, cancel);
  }

  PlanRequest plan_request;
  plan_request.environment = request.environment;
  plan_request.head = request.head;
  plan_request.missing_base = request.missing_base;
  plan_request.fetch_remote = request.fetch_remote;
  plan_request.services = request.services;
  auto planned = plan_environment(workspace, options, plan_request);
  if (!planned) return std::unexpected(planned.error());
  const plan::Plan& plan = planned->plan;

  DeployReport report;
  report.environment = env.name;
  report.head = plan.head;
  report.dry_run = request.dry_run;
  report.warnings = plan.warnings;
  std::vector<std::string> deploying;
  for (const plan::ServicePlan& s : plan.services) {
    DeployedService d;
    d.name = s.name;
    d.deploy = s.action == plan::Action::deploy;
    d.status = d.deploy ? "" : "skip";
    if (!s.reasons.empty()) d.reason = plan::describe(s.reasons.front());
    if (d.deploy) deploying.push_back(s.name);
    report.services.push_back(std::move(d));
  }
  if (deploying.empty()) {
    report.nothing_to_deploy = true;
    if (!request.dry_run) {
      auto written = write_handoff(request, options, plan, env, report.services);
      if (!written) return std::unexpected(written.error());
      report.written = std::move(*written);
    }
    return report;
  }
  if (auto checked = check_push_targets(env, deploying, workspace); !checked) {
    return std::unexpected(checked.error());
  }
  std::vector<std::pair<std::string, std::string>> listed;
  for (const DeployedService& d : report.services) {
    if (d.deploy) listed.emplace_back(d.name, d.reason);
  }
  if (env.confirm && !request.dry_run && events.confirm && !events.confirm(listed)) {
    return fail(ErrorKind::usage, fmt::format("deploy to {} not confirmed: it says confirm = true, which asks on a terminal (pass --yes "
                                              "in scripts); nothing was built or pushed",
                                              env.name));
  }

  BuildRequest build;
  build.given_plan = &plan;
  build.services = request.services;
  build.plan.head = request.head;
  build.jobs = request.jobs;
  build.keep_going = true;  // one service's failure leaves the others' deploys intact
  build.out_dir = request.out_dir;
  auto built = build_services(workspace, options, build, events.build, cancel);
  if (!built) return std::unexpected(built.error());
  for (auto& w : built->warnings) report.warnings.push_back(std::move(w));

  auto head = workspace.repo().resolve_commit(plan.head);
  if (!head) return fail(ErrorKind::usage, fmt::format("{} is not a commit", plan.head));
  const std::string short_sha = workspace.repo().short_id(*head);

  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  auto hints = mount_hints((*cache)->ledger());
  if (!hints) return std::unexpected(hints.error());
  std::map<std::string, push::Artifact> artifacts;
  std::vector<PushJob> jobs;
  for (const BuiltService& b : built->services) {
    auto it = std::find_if(report.services.begin(), report.services.end(),
                           [&](const DeployedService& d) { return d.name == b.name; });
    if (it == report.services.end() || !it->deploy) continue;
    DeployedService& out = *it;
    out.build = b.status == BuildStatus::skipped ? "" : status_name(b.status);
    if (b.status == BuildStatus::skipped && b.kind.empty()) {
      // Nothing to push (a service deployed by other means): said, not
      // failed, and not recorded, so the plan keeps naming it.
      out.status = "no-artifact";
      out.reason = b.reason;
      continue;
    }
    if (b.status == BuildStatus::failed || b.status == BuildStatus::skipped) {
      out.status = "failed";
      out.reason = b.reason;
      continue;
    }
    push::Artifact artifact;
    artifact.service = b.name;
    artifact.environment = env.name;
    artifact.kind = b.kind;
    artifact.path = b.path;
    artifact.digest = b.digest;
    artifact.size = b.size;
    artifact.media_type = b.kind == "zip" ? "application/zip" : kImageManifestType;
    artifact.sha = plan.head;
    artifact.short_sha = short_sha;
    artifact.key = b.key;
    artifact.tags = {b.tag};
    auto tags = tags_for(env, artifact);
    if (!tags) {
      out.status = "failed";
      out.reason = tags.error().message;
      continue;
    }
    artifact.tags = std::move(*tags);
    if (auto hint = hints->find({b.name, strip_sha256(b.digest)}); hint != hints->end()) {
      artifact.mount_from = hint->second;
    }
    artifacts.emplace(b.name, artifact);
    jobs.push_back(PushJob{std::move(artifact), &env.push_for(b.name), &out});
  }
  auto context = push_context(workspace);
  if (!context) return std::unexpected(context.error());
  run_pushes(jobs, request.pushes, factory_or_default(request.make_pusher), *context, request.dry_run, cancel,
             events.pushed);
  if (request.dry_run) return report;

  if (auto recorded = record_pushes(workspace, env.name, report.services, artifacts); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto written = write_handoff(request, options, plan, env, report.services);
  if (!written) return std::unexpected(written.error());
  report.written = std::move(*written);
  return report;
}

std::string deploy_report_to_json(const DeployReport& report) {
  nlohmann::ordered_json services = nlohmann::ordered_json::array();
  nlohmann::ordered_json failed = nlohmann::ordered_json::array();
  for (const DeployedService& s : report.services) {
    services.push_back({{"name", s.name},
                        {"deploy", s.deploy},
                        {"reason", s.reason},
                        {"status", s.status},
                        {"build", s.build},
                        {"pusher", s.pusher},
                        {"digest", s.digest},
                        {"tag", s.tag},
                        {"location", s.location},
                        {"bytes_sent", s.bytes_sent},
                        {"bytes_present", s.bytes_present},
                        {"requests", s.requests},
                        {"seconds", s.seconds}});
    if (s.failed()) failed.push_back(s.name);
  }
  nlohmann::ordered_json json = {{"environment", report.environment},
                                 {"head", report.head},
                                 {"dry_run", report.dry_run},
                                 {"nothing_to_deploy", report.nothing_to_deploy},
                                 {"bytes_sent", report.bytes_sent()},
                                 {"failed", failed},
                                 {"services", services},
                                 {"written", report.written}};
  return json.dump(2) + "\n";
}

std::string deploy_service_line(const DeployedService& s) {
  std::string line = fmt::format("{:<10} {}", s.status, s.name);
  if (!s.tag.empty() && !s.failed()) {
    line += fmt::format(" {} -> {} ({}, {} sent)", s.tag, s.location.empty() ? s.pusher : s.location, s.pusher,
                        cache::format_size(s.bytes_sent));
  }
  if (!s.reason.empty()) line += "  (" + s.reason.substr(0, s.reason.find('\n')) + ")";
  return line;
}

std::string deploy_summary_line(const DeployReport& report, std::string_view verb) {
  if (report.nothing_to_deploy) {
    return fmt::format("nothing to deploy to {}: every service is live at its inputs", report.environment);
  }
  return fmt::format("{} {}{}: {} sent", verb, report.environment, report.dry_run ? " (dry run)" : "",
                     cache::format_size(report.bytes_sent()));
}

}  // namespace wharf::workspace
