// `wharf deploy --env E` and `wharf promote --from A --to B`: flags in, the
// report out (a line per service, or --json); the work is in
// workspace/deploy.h.
#include <unistd.h>

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/build_progress.h"
#include "cli/confirm.h"
#include "cli/interrupt.h"
#include "cli/run.h"
#include "util/text.h"
#include "workspace/deploy.h"

namespace wharf::cli {
namespace {

void print_service(const workspace::DeployedService& s) { std::cout << workspace::deploy_service_line(s) << "\n"; }

// Prints the report; exit 1 when a service failed (each named on stderr).
int finish(const workspace::DeployReport& report, bool json, const char* verb) {
  for (const auto& warning : report.warnings) std::cerr << "wharf: " << warning << "\n";
  std::cout << (json ? workspace::deploy_report_to_json(report) : workspace::deploy_summary_line(report, verb) + "\n");
  std::cout.flush();
  if (report.nothing_to_deploy) std::cerr << "wharf: nothing to deploy\n";
  for (const auto& path : report.written) std::cerr << "wharf: wrote " << path << "\n";
  if (!report.any_failed()) return 0;
  for (const auto& s : report.services) {
    if (s.failed()) std::cerr << "wharf: error: " << s.name << ": " << s.reason << "\n";
  }
  return 1;
}

struct DeployFlags {
  workspace::DeployRequest request;
  std::string services_list, missing_base = "error", progress = "auto";
  bool json = false, yes = false;
};

Result<int> run_deploy(const GlobalOptions& global, DeployFlags flags) {
  auto& request = flags.request;
  request.missing_base = flags.missing_base == "deploy" ? plan::MissingBase::deploy : plan::MissingBase::error;
  for (auto& name : split_list(flags.services_list, ',')) request.services.push_back(std::move(name));
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());
  Progress progress(flags.progress == "tty" || (flags.progress == "auto" && ::isatty(STDERR_FILENO)));
  workspace::DeployEvents events;
  if (flags.progress != "none") {
    events.build.phase = [&](const std::string& s, const char* p) { progress.phase(s, p); };
    events.build.finished = [&](const workspace::BuiltService& s) { progress.finished(s); };
  }
  if (!flags.yes) {
    events.confirm = [&](const std::vector<std::pair<std::string, std::string>>& services) {
      progress.done();
      return ask(services, request.environment);
    };
  }
  if (!flags.json) events.pushed = print_service;
  InterruptScope interrupts;
  auto report = workspace::deploy(*workspace, global.options, request, events, &g_interrupted);
  progress.done();
  if (!report) return std::unexpected(report.error());
  if (!flags.json) {
    for (const auto& s : report->services) {
      if (s.ended_without_push()) print_service(s);
    }
  }
  if (g_interrupted) return fail(ErrorKind::io, "interrupted; what was pushed is recorded, nothing else");
  return finish(*report, flags.json, "deployed to");
}

struct PromoteFlags {
  workspace::PromoteRequest request;
  std::string services_list;
  bool json = false, yes = false;
};

Result<int> run_promote(const GlobalOptions& global, PromoteFlags flags) {
  for (auto& name : split_list(flags.services_list, ',')) flags.request.services.push_back(std::move(name));
  if (!flags.yes) {
    flags.request.confirm = [&](const std::vector<std::pair<std::string, std::string>>& services) {
      return ask(services, flags.request.to);
    };
  }
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());
  InterruptScope interrupts;
  auto report = workspace::promote(*workspace, global.options, flags.request,
                                   flags.json ? nullptr : print_service, &g_interrupted);
  if (!report) return std::unexpected(report.error());
  if (!flags.json) {
    for (const auto& s : report->services) {
      if (s.ended_without_push() || s.status == "refused") print_service(s);
    }
  }
  return finish(*report, flags.json, "promoted to");
}

}  // namespace

void add_deploy_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<DeployFlags>();
  auto& request = flags->request;
  CLI::App* sub = app.add_subcommand("deploy", "Plan against an environment, build, push and record what changed");
  sub->add_option("--env", request.environment, "The environment of wharf.toml to deploy to")->required();
  sub->add_option("services", request.services, "Only these services");
  sub->add_option("--services", flags->services_list, "Only these services (a,b,c)");
  sub->add_option("--head", request.head, "The revision deployed (default HEAD; files come from the work tree)");
  sub->add_flag("--fetch-missing{origin}", request.fetch_remote,
                "Fetch bases missing from a shallow clone from this remote (default origin), depth 1, no blobs");
  sub->add_option("--sha", request.rollback, "Roll back: push again what was deployed at this commit (cached)");
  sub->add_option("--to-ledger", request.to_ledger, "Roll back: push again each service's N-th deploy before this one");
  sub->add_option("--missing-base", flags->missing_base, "When a live SHA is unreadable or unknown: error or deploy")
      ->check(CLI::IsMember({"error", "deploy"}));
  sub->add_flag("--dry-run", request.dry_run, "Say what would be pushed and the bytes it would send; push nothing");
  sub->add_flag("-y,--yes", flags->yes, "Do not ask before deploying to an environment with confirm = true");
  sub->add_option("-j,--jobs", request.jobs, "Build commands at once (default: the number of cores)");
  sub->add_option("--pushes", request.pushes, "Services pushed at once (default 4)");
  sub->add_option("--out", request.out_dir, "Where artifacts are exported (default .wharf/out)");
  sub->add_option("--tfvars-out", request.tfvars_out, "Write {\"image_tags\": ...} of what was deployed here");
  sub->add_option("--targets-out", request.targets_out, "Write the -target=ADDRESS lines of what was deployed here");
  sub->add_option("--github-output", request.github_output, "Append matrix= and any= to this file ($GITHUB_OUTPUT)");
  sub->add_flag("--json", flags->json, "Print the result as JSON");
  sub->add_option("--progress", flags->progress, "auto (default), tty, plain or none")
      ->check(CLI::IsMember({"auto", "tty", "plain", "none"}));
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_deploy(global, *flags); }; });
}

void add_promote_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<PromoteFlags>();
  auto& request = flags->request;
  CLI::App* sub = app.add_subcommand("promote", "Push the artifacts recorded in one environment to another, unbuilt");
  sub->add_option("--from", request.from, "The environment whose recorded artifacts are promoted")->required();
  sub->add_option("--to", request.to, "The environment they are pushed to and recorded in")->required();
  sub->add_option("services", request.services, "Only these services");
  sub->add_option("--services", flags->services_list, "Only these services (a,b,c)");
  sub->add_flag("-y,--yes", flags->yes, "Do not ask before promoting to an environment with confirm = true");
  sub->add_flag("--force", request.force, "Promote what --from did not verify, or what is older than --to's");
  sub->add_flag("--dry-run", request.dry_run, "Say what would be pushed; push nothing");
  sub->add_option("--pushes", request.pushes, "Services pushed at once (default 4)");
  sub->add_option("--out", request.out_dir, "Where the artifacts are exported (default .wharf/out/promote-TO)");
  sub->add_flag("--json", flags->json, "Print the result as JSON");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_promote(global, *flags); }; });
}

}  // namespace wharf::cli
