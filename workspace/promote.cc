// `wharf promote --from A --to B`: A's recorded artifacts to B's pushers,
// with the rules that keep untested or stale artifacts out of B.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "workspace/deploy.h"
#include "workspace/environment.h"
#include "workspace/keys.h"
#include "workspace/push_steps.h"

namespace wharf::workspace {

Result<DeployReport> promote(Workspace& workspace, const Options& options, const PromoteRequest& request,
                             const std::function<void(const DeployedService&)>& pushed,
                             const std::atomic<bool>* cancel) {
  auto all = environments(workspace);
  if (!all) return std::unexpected(all.error());
  auto from = environment_named(*all, request.from, workspace);
  if (!from) return std::unexpected(from.error());
  auto to = environment_named(*all, request.to, workspace);
  if (!to) return std::unexpected(to.error());
  if (request.from == request.to) return fail(ErrorKind::usage, "--from and --to name the same environment");
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  cache::Ledger& ledger = (*cache)->ledger();

  std::vector<std::string> names = request.services;
  if (names.empty()) {
    auto rows = ledger.list(request.from);
    if (!rows) return std::unexpected(rows.error());
    // In wharf.toml order.
    for (const auto& service : workspace.graph().services()) {
      if (std::any_of(rows->begin(), rows->end(), [&](const auto& r) { return r.service == service.name; })) {
        names.push_back(service.name);
      }
    }
    if (names.empty()) {
      return fail(ErrorKind::usage, fmt::format("nothing recorded in {} to promote (wharf deploy --env {} first)",
                                                request.from, request.from));
    }
  } else {
    auto known = select_services(workspace.graph(), names);
    if (!known) return std::unexpected(known.error());
  }
  if (auto checked = check_push_targets(**to, names, workspace); !checked) return std::unexpected(checked.error());

  DeployReport report;
  report.environment = request.to;
  report.dry_run = request.dry_run;
  std::map<std::string, cache::LedgerEntry> sources;
  for (const std::string& name : names) {
    DeployedService& out = report.services.emplace_back();
    out.name = name;
    out.deploy = true;
    auto refuse = [&](std::string why) {
      out.status = "refused";
      out.reason = std::move(why);
    };
    auto source = ledger.find(request.from, name);
    if (!source) return std::unexpected(source.error());
    if (!*source) {
      refuse(fmt::format("no deploy of {} recorded in {}", name, request.from));
      continue;
    }
    const cache::LedgerEntry& entry = **source;
    auto target_entry = ledger.find(request.to, name);
    if (!target_entry) return std::unexpected(target_entry.error());
    if (!request.force && entry.verified_ns == 0) {
      refuse(fmt::format("{} at {} was not verified in {} (wharf verify --env {}; --force promotes anyway)",
                         name, entry.sha.substr(0, 7), request.from, request.from));
      continue;
    }
    if (!request.force && *target_entry && (*target_entry)->time_ns > entry.time_ns &&
        (*target_entry)->sha != entry.sha) {
      refuse(fmt::format("{} has a newer deploy of {} ({}) than {}'s ({}); --force promotes anyway", request.to,
                         name, (*target_entry)->sha.substr(0, 7), request.from, entry.sha.substr(0, 7)));
      continue;
    }
    sources.emplace(name, entry);
  }
  std::vector<std::pair<std::string, std::string>> listed;
  for (const auto& [name, entry] : sources) {
    listed.emplace_back(name, fmt::format("{} from {}", entry.sha.substr(0, 7), request.from));
  }
  if (!listed.empty() && (*to)->confirm && !request.dry_run && request.confirm && !request.confirm(listed)) {
    return fail(ErrorKind::usage, fmt::format("promotion to {} not confirmed: it says confirm = true, which asks on "
                                              "a terminal (pass --yes in scripts); nothing was pushed",
                                              request.to));
  }
  if (auto done = push_recorded(workspace, options, **to, sources, request.out_dir, request.pushes, request.dry_run,
                                request.make_pusher, pushed, cancel, report);
      !done) {
    return std::unexpected(done.error());
  }
  return report;
}

}  // namespace wharf::workspace
