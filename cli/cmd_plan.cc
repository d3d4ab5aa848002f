// `wharf plan`: DEPLOY or skip per service against its live SHA.
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/run.h"
#include "cli/workspace.h"
#include "fs/real_file_system.h"
#include "plan/plan.h"
#include "plan/plan_output.h"
#include "util/text.h"

namespace wharf::cli {
namespace {

struct PlanFlags {
  std::string since;
  std::string live_file;
  std::string head = "HEAD";
  bool worktree = false;
  bool merge_base = false;
  std::string missing_base = "error";
  std::string services;
  bool json = false;
  bool exit_code = false;
  bool stats = false;
  std::size_t threads = 0;
};

Result<int> run_plan(const GlobalOptions& global, const PlanFlags& flags) {
  if (flags.since.empty() == flags.live_file.empty()) {
    return fail(ErrorKind::usage,
                "give exactly one of --since REV (one base for every service) or --live FILE "
                "(a JSON object service -> live SHA)");
  }
  auto workspace = open_workspace(global);
  if (!workspace) return std::unexpected(workspace.error());

  plan::PlanOptions options;
  options.head = flags.head;
  options.worktree = flags.worktree;
  options.merge_base = flags.merge_base;
  options.missing_base = flags.missing_base == "deploy" ? plan::MissingBase::deploy : plan::MissingBase::error;
  options.services = split_list(flags.services, ',');
  options.threads = flags.threads;
  if (!flags.since.empty()) options.since = flags.since;
  if (!flags.live_file.empty()) {
    auto live = plan::load_live(flags.live_file);
    if (!live) return std::unexpected(live.error());
    options.live = std::move(*live);
    global.lap("read-live");
  }
  // Which config paths match nothing at the head is remembered beside the
  // config snapshot (plan/path_check_memo.h).
  fs::RealFileSystem files;
  std::optional<plan::FilePathCheckMemo> memo;
  if (!workspace->snapshot_file.empty()) {
    memo.emplace(files, workspace->snapshot_file + ".paths", workspace->config_digest);
    options.path_check_memo = &*memo;
  }
  auto plan = plan::compute_plan(workspace->repo, workspace->graph, options);
  if (!plan) return std::unexpected(plan.error());
  global.lap("plan");
  for (const auto& warning : plan->warnings) std::cerr << "wharf: " << warning << "\n";
  std::cout << (flags.json ? plan::plan_to_json(*plan) : plan::plan_to_text(*plan));
  std::cout.flush();
  if (flags.stats) {
    global.lap("output");
    std::cerr << fmt::format(
        "wharf: stats: distinct_bases={} trees_walked={} entries_visited={} memo_hits={} threads={}\n",
        plan->stats.distinct_bases, plan->stats.trees_walked, plan->stats.entries_visited, plan->stats.memo_hits,
        plan->stats.threads);
    if (global.stopwatch) std::cerr << "wharf: stats: wharf " << global.stopwatch->str() << "\n";
    std::cerr << "wharf: stats: plan " << plan->stats.phases.str() << "\n";
  }
  const int code = flags.exit_code && plan->any_deploy() ? 1 : 0;
  keep_until_exit(std::move(*plan));
  keep_until_exit(std::move(*workspace));
  return code;
}

}  // namespace

void add_plan_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* sub = app.add_subcommand("plan", "Which services to deploy since their live SHA, and why");
  sub->add_option("--since", flags->since, "One base revision for every service");
  sub->add_option("--live", flags->live_file, "JSON object: service -> live SHA (full or abbreviated)");
  sub->add_option("--head", flags->head, "The revision to deploy (default HEAD)");
  sub->add_flag("--worktree", flags->worktree, "Also count uncommitted and untracked (not ignored) changes");
  sub->add_flag("--merge-base", flags->merge_base, "Diff from merge-base(base, head), as for a PR preview");
  sub->add_option("--missing-base", flags->missing_base,
                  "When a base is not in the repository: error (default) or deploy")
      ->check(CLI::IsMember({"error", "deploy"}));
  sub->add_option("--services", flags->services, "Limit the plan to these services (a,b,c)");
  sub->add_flag("--json", flags->json, "Print the plan as JSON");
  sub->add_flag("--exit-code", flags->exit_code, "Exit 1 when something is to deploy");
  sub->add_flag("--stats", flags->stats, "Print walk counters and phase times to stderr");
  sub->add_option("--threads", flags->threads,
                  "Threads to plan with (default 0: one per 64 distinct bases, at most 4 and the cores)");
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_plan(global, *flags); }; });
}

}  // namespace wharf::cli
