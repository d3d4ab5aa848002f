// `wharf build`: plan, key, reuse or build, pack, export; a progress display
// on a terminal, plain lines otherwise, and --json for scripts.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "cli/build_progress.h"
#include "cli/interrupt.h"
#include "cli/run.h"
#include "util/text.h"
#include "workspace/build.h"

namespace wharf::cli {
namespace {

struct BuildFlags {
  workspace::BuildRequest request;
  std::string missing_base = "error";
  std::vector<std::string> services;
  std::string services_list;
  bool json = false;
  std::string progress = "auto";
};

Result<int> run_build(const GlobalOptions& global, BuildFlags flags) {
  auto& request = flags.request;
  request.plan.missing_base = flags.missing_base == "deploy" ? plan::MissingBase::deploy : plan::MissingBase::error;
  request.services = flags.services;
  for (auto& name : split_list(flags.services_list, ',')) request.services.push_back(std::move(name));
  auto workspace = workspace::Workspace::open(global.options, global.host, global.stopwatch);
  if (!workspace) return std::unexpected(workspace.error());

  const bool terminal = flags.progress == "tty" || (flags.progress == "auto" && ::isatty(STDERR_FILENO));
  Progress progress(terminal);
  workspace::BuildEvents events;
  if (flags.progress != "none") {
    events.phase = [&](const std::string& s, const char* p) { progress.phase(s, p); };
    events.packed = [&](const std::string& s, std::uint64_t f, std::uint64_t b) { progress.packed(s, f, b); };
    events.finished = [&](const workspace::BuiltService& s) { progress.finished(s); };
  }
  InterruptScope interrupts;
  auto report = workspace::build_services(*workspace, global.options, request, events, &g_interrupted);
  progress.done();
  if (!report) return std::unexpected(report.error());
  for (const auto& warning : report->warnings) std::cerr << "wharf: " << warning << "\n";
  if (flags.json) {
    std::cout << workspace::report_to_json(*report);
  } else {
    for (const auto& s : report->services) {
      std::cout << fmt::format("{:<8} {}", workspace::status_name(s.status), s.name);
      if (!s.digest.empty()) std::cout << fmt::format(" {} {} {}", s.kind, s.tag, s.path);
      if (!s.reason.empty()) std::cout << "  (" << s.reason.substr(0, s.reason.find('\n')) << ")";
      std::cout << "\n";
    }
  }
  std::cout.flush();
  if (g_interrupted) return fail(ErrorKind::io, "interrupted; nothing half-written was kept");
  if (report->any_failed()) {
    for (const auto& s : report->services) {
      if (s.status == workspace::BuildStatus::failed)
        std::cerr << "wharf: error: " << s.name << ": " << s.reason << "\n";
    }
    return 1;
  }
  return 0;
}

}  // namespace

void add_build_command(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto flags = std::make_shared<BuildFlags>();
  workspace::PlanRequest& plan = flags->request.plan;
  CLI::App* sub = app.add_subcommand(
      "build", "Build the artifacts of the services to deploy (all with no base), reusing cached ones");
  sub->add_option("services", flags->services, "Only these services");
  sub->add_option("--services", flags->services_list, "Only these services (a,b,c), as for plan");
  sub->add_option("--since", plan.since, "One base revision for every service (as wharf plan)");
  sub->add_option("--live", plan.live_file, "JSON object: service -> live SHA (as wharf plan)");
  sub->add_option("--env", plan.environment, "Build what this environment of wharf.toml lacks (as wharf plan)");
  sub->add_option("--head", plan.head, "The revision to build (default HEAD; files come from the work tree)");
  sub->add_flag("--worktree", plan.worktree, "Also count uncommitted and untracked changes (as wharf plan)");
  sub->add_flag("--merge-base", plan.merge_base, "Diff from merge-base(base, head) (as wharf plan)");
  sub->add_option("--missing-base", flags->missing_base, "When a base is not in the repository: error or deploy")
      ->check(CLI::IsMember({"error", "deploy"}));
  sub->add_flag("--fetch-missing{origin}", plan.fetch_remote,
                "Fetch bases missing from a shallow clone from this remote (default origin), depth 1, no blobs");
  sub->add_option("-j,--jobs", flags->request.jobs, "Build commands at once (default: the number of cores)");
  sub->add_flag("-k,--keep-going", flags->request.keep_going, "Go on with the other services after a failure");
  sub->add_option("--out", flags->request.out_dir, "Where artifacts are exported (default .wharf/out)");
  sub->add_flag("--json", flags->json, "Print the result as JSON");
  sub->add_option("--progress", flags->progress, "auto (default), tty, plain or none")
      ->check(CLI::IsMember({"auto", "tty", "plain", "none"}));
  sub->callback([&global, &action, flags] { action = [&global, flags] { return run_build(global, *flags); }; });
}

}  // namespace wharf::cli
