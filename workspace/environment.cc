#include "workspace/environment.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "net/curl_http_client.h"
#include "util/text.h"
#include "workspace/fetch.h"
#include "workspace/keys.h"
#include "workspace/worktree.h"

namespace wharf::workspace {
namespace {

bool is_hex_sha(std::string_view text) {
  return text.size() >= 4 && text.size() <= 40 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<std::vector<std::string>> service_names(const Workspace& workspace, const std::vector<std::string>& services) {
  auto selected = select_services(workspace.graph(), services);
  if (!selected) return std::unexpected(selected.error());
  std::vector<std::string> names;
  for (const graph::Service* service : *selected) names.push_back(service->name);
  return names;
}

Result<std::string> resolve_full(const vcs::Repository& repo, const std::string& rev, std::string_view what) {
  auto id = repo.resolve_commit(rev);
  if (!id) {
    return fail(ErrorKind::repository, fmt::format("{} '{}' is not a commit in this repository: {}", what,
                                                   printable(rev), id.error().message));
  }
  return id->hex();
}

}  // namespace

Result<std::vector<graph::EnvironmentConfig>> environments(const Workspace& workspace) {
  std::ifstream in(workspace.config_path(), std::ios::binary);
  if (!in) return fail(ErrorKind::config, fmt::format("{}: cannot read the config", workspace.config_path()));
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> names;
  for (const auto& service : workspace.graph().services()) names.push_back(service.name);
  return graph::load_environments(text.str(), workspace.config_path(), names);
}

std::string state_name(const ServiceState& state, const std::string& head) {
  if (!state.problem.empty()) return "error";
  if (state.drift) return "drift";
  if (!state.live_sha) return "not-live";
  return *state.live_sha == head ? "at-head" : "behind";
}

Result<EnvironmentState> read_environment(Workspace& workspace, const std::string& name,
                                          const std::vector<std::string>& services, const std::string& head) {
  auto all = environments(workspace);
  if (!all) return std::unexpected(all.error());
  auto environment = graph::find_environment(*all, name, workspace.config_path());
  if (!environment) return std::unexpected(environment.error());
  auto names = service_names(workspace, services);
  if (!names) return std::unexpected(names.error());
  const vcs::Repository& repo = workspace.repo();
  auto head_sha = resolve_full(repo, head, "--head");
  if (!head_sha) return std::unexpected(head_sha.error());

  EnvironmentState state;
  state.environment = **environment;
  state.head = *head_sha;
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  auto rows = (*cache)->ledger().list(name);
  if (!rows) return std::unexpected(rows.error());
  std::map<std::string, cache::LedgerEntry> recorded;
  env::LiveContext context;
  for (auto& row : *rows) {
    context.ledger[row.service] = row.entry.sha;
    recorded[row.service] = std::move(row.entry);
  }
  context.repo_root = repo.workdir();
  context.getenv = workspace.host().getenv;
  std::unique_ptr<net::CurlHttpClient> http;
  const bool any_http = std::any_of(names->begin(), names->end(), [&](const std::string& service) {
    return state.environment.source_for(service).kind == graph::LiveSourceKind::http;
  });
  if (any_http) {
    auto client = net::CurlHttpClient::create();
    if (!client) return std::unexpected(client.error());
    http = std::move(*client);
    context.http = http.get();
  }
  auto reads = env::read_live(state.environment, *names, context);

  for (auto& read : reads) {
    ServiceState service;
    if (auto it = recorded.find(read.service); it != recorded.end()) service.recorded = it->second;
    if (!read.error.empty()) {
      service.problem = read.error;
    } else if (read.rev) {
      auto id = repo.resolve_commit(*read.rev);
      if (id) {
        service.live_sha = id->hex();
      } else {
        service.problem = fmt::format("{}: the live value '{}' is not a commit in this repository{}", read.origin,
                                      printable(*read.raw),
                                      id.error().failure == vcs::ResolveFailure::not_found && is_hex_sha(*read.rev)
                                          ? " (a shallow clone? fetch more history)"
                                          : "");
      }
    }
    if (service.live_sha && service.recorded && read.kind != graph::LiveSourceKind::ledger &&
        service.recorded->sha != *service.live_sha) {
      service.drift = plan::Drift{*service.live_sha, service.recorded->sha};
    }
    service.read = std::move(read);
    state.services.push_back(std::move(service));
  }
  return state;
}

Result<EnvironmentPlan> plan_environment(Workspace& workspace, const Options&, const PlanRequest& request,
                                         Stopwatch* laps) {
  if (!request.since.empty() || !request.live_file.empty()) {
    return fail(ErrorKind::usage, "give one of --env NAME, --since REV or --live FILE");
  }
  auto state = read_environment(workspace, request.environment, request.services, request.head);
  if (!state) return std::unexpected(state.error());
  if (laps) laps->lap("read-live");

  plan::PlanOptions options = plan_options(request);
  options.parsed_store = workspace.parsed_store();
  options.live.emplace();
  std::vector<std::string> problems;
  std::map<std::string, const ServiceState*> by_name;
  for (const ServiceState& service : state->services) {
    by_name[service.read.service] = &service;
    if (service.live_sha) {
      (*options.live)[service.read.service] = *service.read.rev;  // as the source gave it: the plan's base_rev
    } else if (!service.problem.empty()) {
      problems.push_back(fmt::format("service '{}': {}", service.read.service, service.problem));
    }
  }
  if (!problems.empty() && request.missing_base == plan::MissingBase::error) {
    return fail(
        ErrorKind::io,
        fmt::format("could not read what is live in environment '{}' for {} service{}:\n{}\n(with "
                    "--missing-base=deploy those services deploy instead)",
                    request.environment, problems.size(), problems.size() == 1 ? "" : "s", join(problems, "\n")));
  }
  if (auto bases = ensure_bases(workspace.repo(), options, request.fetch_remote, workspace.host()); !bases) {
    return std::unexpected(bases.error());
  }
  if (!request.fetch_remote.empty()) {
    options.fetch_blobs = blob_fetcher(workspace.repo(), request.fetch_remote, workspace.host());
  }
  if (options.worktree) {
    auto changed = worktree_changes(workspace);
    if (!changed) return std::unexpected(changed.error());
    options.uncommitted = std::move(*changed);
  }
  auto planned = plan::compute_plan(workspace.repo(), workspace.graph(), options);
  if (!planned) return std::unexpected(planned.error());
  for (plan::ServicePlan& service : planned->services) {
    auto it = by_name.find(service.name);
    if (it == by_name.end()) continue;
    const ServiceState& live = *it->second;
    service.live = plan::LiveInfo{graph::to_string(live.read.kind), live.read.origin, live.read.raw, live.problem};
    service.drift = live.drift;
    if (!live.live_sha && !live.problem.empty()) {
      service.action = plan::Action::deploy;
      service.base_rev = live.read.raw.value_or("");
      service.reasons = {plan::Reason{plan::ReasonKind::live_error, live.problem, "", false, ""}};
      planned->warnings.push_back(
          fmt::format("service '{}': {}; deploying it (--missing-base=deploy)", service.name, live.problem));
    }
  }
  return EnvironmentPlan{std::move(*planned), std::move(*state)};
}

Result<std::vector<std::pair<std::string, cache::LedgerEntry>>> record_deploy(Workspace& workspace,
                                                                              const RecordRequest& request) {
  auto all = environments(workspace);
  if (!all) return std::unexpected(all.error());
  if (auto environment = graph::find_environment(*all, request.environment, workspace.config_path()); !environment) {
    return std::unexpected(environment.error());
  }
  auto names = service_names(workspace, request.services);
  if (!names) return std::unexpected(names.error());
  auto sha = resolve_full(workspace.repo(), request.sha, "--sha");
  if (!sha) return std::unexpected(sha.error());
  auto head = resolve_full(workspace.repo(), "HEAD", "HEAD");
  std::map<std::string, std::string> keys;
  std::map<std::string, std::string> digests;
  if (head && *head == *sha) {
    // Keys are of the work tree: they say what was deployed only when the
    // deployed commit is the one checked out.
    auto run = compute_keys(workspace, *names);
    if (!run) return std::unexpected(run.error());
    auto cache = workspace.cache();
    if (!cache) return std::unexpected(cache.error());
    auto statuses = key_statuses(**cache, *run->keys);
    if (!statuses) return std::unexpected(statuses.error());
    for (const KeyStatus& status : *statuses) {
      keys[status.name] = status.key;
      if (!status.cached) continue;
      auto artifact = (*cache)->find_artifact(status.key);
      if (artifact && *artifact) digests[status.name] = (**artifact).digest;
    }
  }
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  const std::int64_t now = workspace.host().clock();
  std::vector<std::pair<std::string, cache::LedgerEntry>> entries;
  for (const std::string& service : *names) {
    cache::LedgerEntry entry;
    entry.sha = *sha;
    entry.input_key = keys[service];
    entry.artifact_digest = digests[service];
    entry.time_ns = now;
    entries.emplace_back(service, std::move(entry));
  }
  if (auto written = (*cache)->ledger().record_all(request.environment, entries); !written) {
    return std::unexpected(written.error());
  }
  return entries;
}

bool VerifyResult::all_converged() const {
  return std::all_of(rows.begin(), rows.end(), [](const VerifyRow& row) { return row.converged; });
}

Result<VerifyResult> verify_environment(Workspace& workspace, const VerifyRequest& request) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + request.timeout;
  auto expected = resolve_full(workspace.repo(), request.expected, "--sha");
  if (!expected) return std::unexpected(expected.error());
  VerifyResult result;
  result.expected = *expected;
  auto names = service_names(workspace, request.services);
  if (!names) return std::unexpected(names.error());
  std::map<std::string, VerifyRow> rows;
  for (const auto& name : *names) rows[name] = VerifyRow{name, "", false, 0};
  std::vector<std::string> pending = *names;
  auto wait = request.first_wait;
  while (true) {
    auto state = read_environment(workspace, request.environment, pending);
    if (!state) return std::unexpected(state.error());
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<std::string> still;
    for (const ServiceState& service : state->services) {
      VerifyRow& row = rows[service.read.service];
      row.seen = service.read.raw ? *service.read.raw : service.problem;
      row.seconds = elapsed;
      if (service.live_sha && *service.live_sha == *expected) {
        row.converged = true;
      } else {
        still.push_back(service.read.service);
      }
    }
    pending = std::move(still);
    if (pending.empty() || Clock::now() + wait >= end) break;
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, request.max_wait);
  }
  for (const auto& name : *names) result.rows.push_back(rows[name]);
  // What converged is verified in the ledger (what `wharf promote` asks
  // for); the entry keeps its time, so it is updated in place, not added.
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  const std::int64_t now = workspace.host().clock();
  for (const VerifyRow& row : result.rows) {
    if (!row.converged) continue;
    auto entry = (*cache)->ledger().find(request.environment, row.service);
    if (!entry) return std::unexpected(entry.error());
    if (!*entry || (*entry)->sha != *expected || (*entry)->verified_ns != 0) continue;
    (*entry)->verified_ns = now;
    if (auto put = (*cache)->ledger().record(request.environment, row.service, **entry); !put) {
      return std::unexpected(put.error());
    }
  }
  return result;
}

}  // namespace wharf::workspace
