// `wharf plan`: DEPLOY or skip per service against its live SHA.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/run.h"
#include "env/handoff.h"
#include "plan/plan_output.h"
#include "util/text.h"
#include "workspace/environment.h"
#include "workspace/plan.h"

namespace wharf::cli {
namespace {

struct PlanFlags {
  workspace::PlanRequest request;
  std::string missing_base = "error";
  std::string services;
  bool json = false;
  std::string format = "text";
  bool all_tags = false;
  bool github_output = false;
  bool exit_code = false;
  bool stats = false;
};

Result<int> run_plan(const GlobalOptions& global, PlanFlags flags) {
  flags.request.missing_base = flags.missing_base == "deploy" ? plan::MissingBase::deploy : plan::MissingBase::error;
  flags.request.services = split_list(flags.services, ',');
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());
  if (flags.json) flags.format = "json";
  std::optional<workspace::EnvironmentPlan> environment_plan;
  Result<plan::Plan> plan = fail(ErrorKind::usage, "");
  if (!flags.request.environment.empty()) {
    auto planned = workspace::plan_environment(*workspace, global.options, flags.request, global.stopwatch);
    if (!planned) return std::unexpected(planned.error());
    environment_plan = std::move(*planned);
    plan = std::move(environment_plan->plan);
  } else {
    plan = workspace::plan_services(*workspace, global.options, flags.request, global.stopwatch);
  }
  if (!plan) return std::unexpected(plan.error());
  global.lap("plan");
  for (const auto& warning : plan->warnings) std::cerr << "wharf: " << warning << "\n";
  const graph::EnvironmentConfig* environment = environment_plan ? &environment_plan->state.environment : nullptr;
  if (flags.format == "json") {
    std::cout << plan::plan_to_json(*plan);
  } else if (flags.format == "terraform") {
    std::cout << env::to_terraform(*plan, environment, flags.all_tags);
  } else if (flags.format == "targets") {
    auto targets = env::to_targets(*plan, environment);
    if (!targets) return std::unexpected(targets.error());
    std::cout << *targets;
  } else if (flags.format == "github-matrix") {
    std::cout << env::to_github_matrix(*plan);
  } else if (flags.format == "markdown") {
    std::cout << env::to_markdown(*plan);
  } else if (flags.format == "dot") {
    std::cout << env::to_dot(*plan, workspace->graph());
  } else {
    std::cout << plan::plan_to_text(*plan);
  }
  std::cout.flush();
  // The handoff formats print an empty document then; say why on stderr
  // (text and JSON say it themselves).
  if (flags.format != "text" && flags.format != "json" && !plan->any_deploy()) {
    std::cerr << "wharf: nothing to deploy\n";
  }
  if (flags.github_output) {
    auto path = global.host.getenv("GITHUB_OUTPUT");
    if (!path || path->empty()) {
      return fail(ErrorKind::usage, "--github-output appends to the file $GITHUB_OUTPUT names, and it is not set");
    }
    if (auto written = env::append_github_output(*path, *plan); !written) return std::unexpected(written.error());
  }
  if (flags.stats) {
    global.lap("output");
    std::cerr << fmt::format(
        "wharf: stats: distinct_bases={} trees_walked={} entries_visited={} memo_hits={} threads={} "
        "lockfiles_parsed={} lockfiles_read={}\n",
        plan->stats.distinct_bases, plan->stats.trees_walked, plan->stats.entries_visited, plan->stats.memo_hits,
        plan->stats.threads, plan->stats.lockfiles_parsed, plan->stats.lockfiles_read);
    if (global.stopwatch) std::cerr << "wharf: stats: wharf " << global.stopwatch->str() << "\n";
    std::cerr << "wharf: stats: plan " << plan->stats.phases.str() << "\n";
  }
  return flags.exit_code && plan->any_deploy() ? 1 : 0;
}

}  // namespace

void add_plan_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<PlanFlags>();
  workspace::PlanRequest& request = flags->request;
  CLI::App* sub = app.add_subcommand("plan", "Which services to deploy since their live SHA, and why");
  sub->add_option("--since", request.since, "One base revision for every service");
  sub->add_option("--live", request.live_file, "JSON object: service -> live SHA (full or abbreviated)");
  sub->add_option("--env", request.environment, "Read the live SHAs from this environment of wharf.toml");
  sub->add_option("--head", request.head, "The revision to deploy (default HEAD)");
  sub->add_flag("--worktree", request.worktree, "Also count uncommitted and untracked (not ignored) changes");
  sub->add_flag("--merge-base", request.merge_base, "Diff from merge-base(base, head), as for a PR preview");
  sub->add_option("--missing-base", flags->missing_base,
                  "When a base is not in the repository: error (default) or deploy")
      ->check(CLI::IsMember({"error", "deploy"}));
  sub->add_option("--services", flags->services, "Limit the plan to these services (a,b,c)");
  sub->add_flag("--fetch-missing{origin}", request.fetch_remote,
                "Fetch bases missing from a shallow clone from this remote (default origin), depth 1, no blobs");
  sub->add_option("--lockfile", request.lockfile,
                  "How a changed lockfile reaches services: auto (those whose resolved dependencies changed) or "
                  "whole (all); default: [workspace] lockfile, else auto")
      ->check(CLI::IsMember({"auto", "whole"}));
  sub->add_flag("--json", flags->json, "Print the plan as JSON (= --format json)");
  sub->add_option("--format", flags->format, "text, json, terraform, targets, github-matrix, markdown or dot")
      ->check(CLI::IsMember({"text", "json", "terraform", "targets", "github-matrix", "markdown", "dot"}));
  sub->add_flag("--all-tags", flags->all_tags, "--format terraform: also the live tags of the services to skip");
  sub->add_flag("--github-output", flags->github_output, "Append matrix=... and any=true|false to $GITHUB_OUTPUT");
  sub->add_flag("--exit-code", flags->exit_code, "Exit 1 when something is to deploy");
  sub->add_flag("--stats", flags->stats, "Print walk counters and phase times to stderr");
  sub->add_option("--threads", request.threads,
                  "Threads to plan with (default 0: one per 64 distinct bases, at most 4 and the cores)");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_plan(global, *flags); }; });
}

}  // namespace wharf::cli
