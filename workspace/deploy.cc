#include "workspace/deploy.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "env/handoff.h"
#include "fs/real_file_system.h"
#include "push/make_pusher.h"
#include "push/template.h"
#include "plan/plan_output.h"
#include "util/text.h"
#include "workspace/keys.h"
#include "workspace/environment.h"

namespace wharf::workspace {
namespace {

constexpr const char* kImageManifestType = "application/vnd.oci.image.manifest.v1+json";

std::string strip_sha256(std::string_view digest) {
  return std::string(digest.starts_with("sha256:") ? digest.substr(7) : digest);
}

// The tags an artifact gets in an environment: the push table's templates,
// else the environment's `tag` (what `wharf plan --format terraform` names,
// so the tfvars and the registry agree).
Result<std::vector<std::string>> tags_for(const graph::EnvironmentConfig& environment, push::Artifact& artifact) {
  const graph::PushTarget& target = environment.push_for(artifact.service);
  std::vector<std::string> tags;
  if (target.tags.empty()) {
    tags.push_back(env::image_tag(environment.source_for(artifact.service).tag, artifact.service, artifact.sha));
    return tags;
  }
  for (const std::string& tmpl : target.tags) {
    auto tag = push::expand_template(tmpl, artifact);
    if (!tag) return std::unexpected(tag.error());
    tags.push_back(std::move(*tag));
  }
  return tags;
}

Result<const graph::EnvironmentConfig*> environment_named(const std::vector<graph::EnvironmentConfig>& all,
                                                          const std::string& name, const Workspace& workspace) {
  return graph::find_environment(all, name, workspace.config_path());
}

// An error for a service that would be pushed to an environment with no
// push table for it.
Result<void> check_push_targets(const graph::EnvironmentConfig& environment, const std::vector<std::string>& services,
                                const Workspace& workspace) {
  std::vector<std::string> lacking;
  for (const std::string& name : services) {
    if (environment.push_for(name).kind == graph::PushKind::none) lacking.push_back(name);
  }
  if (lacking.empty()) return ok();
  return fail(ErrorKind::config,
              fmt::format("{}: [environment.{}] says nowhere to push {}; add [environment.{}.push] with to = "
                          "\"registry\" (or dir, http, command), or a [environment.{}.service.NAME.push] per service "
                          "(README.md, Deploy)",
                          environment.where.str().empty() ? workspace.config_path() : environment.where.str(),
                          environment.name, join(lacking, ", "), environment.name, environment.name));
}

// Pushes (or previews) one artifact; fills `out`.
void push_one(const graph::PushTarget& target, const push::Artifact& artifact, const PusherFactory& factory,
              const push::PushContext& context, bool dry_run, const std::atomic<bool>* cancel, DeployedService& out) {
  const auto start = std::chrono::steady_clock::now();
  out.pusher = graph::to_string(target.kind);
  out.tag = artifact.tags.front();
  auto pusher = factory(target, artifact, context);
  if (!pusher) {
    out.status = "failed";
    out.reason = pusher.error().message;
    return;
  }
  if (dry_run) {
    auto preview = (*pusher)->preview(artifact);
    if (!preview) {
      out.status = "failed";
      out.reason = preview.error().message;
    } else {
      out.status = preview->complete ? "would-skip" : "would-push";
      out.location = preview->location;
      out.digest = artifact.digest;
      out.bytes_sent = preview->bytes_to_send;
    }
  } else {
    auto pushed = (*pusher)->push(artifact, cancel);
    if (!pushed) {
      out.status = "failed";
      out.reason = pushed.error().message;
    } else {
      out.status = pushed->already_there ? "present" : "pushed";
      out.digest = pushed->digest;
      out.location = pushed->location;
      out.bytes_sent = pushed->bytes_sent;
      out.bytes_present = pushed->bytes_present;
      out.requests = pushed->requests;
      if (!pushed->tag.empty()) out.tag = pushed->tag;
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct PushJob {
  push::Artifact artifact;
  const graph::PushTarget* target = nullptr;
  DeployedService* out = nullptr;
};

// Pushes are waits on the network, not CPU work: plain threads, at most
// `parallel` at once (TBB's arena would be capped by the build's limit).
void run_pushes(std::vector<PushJob>& jobs, std::size_t parallel, const PusherFactory& factory,
                const push::PushContext& context, bool dry_run, const std::atomic<bool>* cancel,
                const std::function<void(const DeployedService&)>& pushed) {
  std::mutex report;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      PushJob& job = jobs[i];
      if (cancel && cancel->load()) {
        job.out->status = "failed";
        job.out->reason = "cancelled";
      } else {
        push_one(*job.target, job.artifact, factory, context, dry_run, cancel, *job.out);
      }
      if (pushed) {
        std::lock_guard lock(report);
        pushed(*job.out);
      }
    }
  };
  std::vector<std::thread> threads;
  const std::size_t count = std::min(std::clamp<std::size_t>(parallel, 1, 64), jobs.size());
  for (std::size_t i = 1; i < count; ++i) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

// Where the ledger says each artifact went by registry before, any
// environment: (service, artifact digest hex) -> "host/repo" (mount hints).
Result<std::map<std::pair<std::string, std::string>, std::vector<std::string>>> mount_hints(cache::Ledger& ledger) {
  auto rows = ledger.list();
  if (!rows) return std::unexpected(rows.error());
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> hints;
  for (const cache::LedgerRow& row : *rows) {
    const cache::LedgerEntry& e = row.entry;
    if (e.pusher != "registry" || e.location.empty() || e.artifact_digest.empty()) continue;
    hints[{row.service, e.artifact_digest}].push_back(e.location.substr(0, e.location.find('@')));
  }
  return hints;
}

PusherFactory factory_or_default(const PusherFactory& given) {
  if (given) return given;
  return [](const graph::PushTarget& target, const push::Artifact& artifact, const push::PushContext& context) {
    return push::make_pusher(target, artifact, context);
  };
}

std::string repo_root(const Workspace& workspace) {
  std::string root = workspace.repo().workdir();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

// Commands' logs go beside the build logs, in the cache (out of git's sight).
Result<push::PushContext> push_context(Workspace& workspace) {
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  push::PushContext context{repo_root(workspace), (*cache)->dir() + "/logs"};
  fs::RealFileSystem fs;
  if (auto made = fs.make_dirs(context.log_dir); !made) return std::unexpected(made.error());
  return context;
}

// Ledger entries for the services whose push succeeded.
Result<void> record_pushes(Workspace& workspace, const std::string& environment,
                           const std::vector<DeployedService>& services,
                           const std::map<std::string, push::Artifact>& artifacts) {
  const std::int64_t now = workspace.host().clock();
  std::vector<std::pair<std::string, cache::LedgerEntry>> entries;
  for (const DeployedService& s : services) {
    if (s.status != "pushed" && s.status != "present") continue;
    const push::Artifact& artifact = artifacts.at(s.name);
    cache::LedgerEntry entry;
    entry.sha = artifact.sha;
    entry.input_key = artifact.key;
    entry.artifact_digest = strip_sha256(artifact.digest);
    entry.time_ns = now;
    entry.digest = s.digest;
    entry.tag = s.tag;
    entry.pusher = s.pusher;
    entry.location = s.location;
    entries.emplace_back(s.name, std::move(entry));
  }
  if (entries.empty()) return ok();
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  return (*cache)->ledger().record_all(environment, entries);
}

// The handoff files of the services that are now deployed: a copy of the
// plan in which what failed (or was not pushed) is skipped.
Result<std::vector<std::string>> write_handoff(const DeployRequest& request, const Options& options,
                                               const plan::Plan& plan, const graph::EnvironmentConfig& environment,
                                               const std::vector<DeployedService>& services) {
  plan::Plan done = plan;
  for (plan::ServicePlan& s : done.services) {
    auto it = std::find_if(services.begin(), services.end(), [&](const auto& d) { return d.name == s.name; });
    const bool deployed = it != services.end() && (it->status == "pushed" || it->status == "present");
    if (!deployed) s.action = plan::Action::skip;
  }
  std::vector<std::string> written;
  fs::RealFileSystem fs;
  auto write = [&](const std::string& flag, const std::string& text) -> Result<void> {
    const std::string path = from_directory(options, flag);
    if (auto w = fs.write_file_atomic(path, text, fs::Sync::none); !w) return w;
    written.push_back(path);
    return ok();
  };
  if (!request.tfvars_out.empty()) {
    // The tags pushed (a rollback's are its commit's, not HEAD's).
    std::vector<std::pair<std::string, std::string>> tags;
    for (const DeployedService& s : services) {
      if (s.status == "pushed" || s.status == "present") tags.emplace_back(s.name, s.tag);
    }
    if (auto w = write(request.tfvars_out, env::to_terraform_tags(tags)); !w) return std::unexpected(w.error());
  }
  if (!request.targets_out.empty()) {
    auto targets = env::to_targets(done, &environment);
    if (!targets) return std::unexpected(targets.error());
    if (auto w = write(request.targets_out, *targets); !w) return std::unexpected(w.error());
  }
  if (!request.github_output.empty()) {
    const std::string path = from_directory(options, request.github_output);
    if (auto w = env::append_github_output(path, done); !w) return std::unexpected(w.error());
    written.push_back(path);
  }
  return written;
}

// Pushes artifacts the ledger recorded (promote, rollback): each `sources`
// entry's artifact, taken from the cache by its input key and exported,
// goes to `to`'s pusher with `to`'s tags for its commit; what was pushed is
// recorded in `to`. Services already in `report` with a status (refused)
// are left alone.
Result<void> push_recorded(Workspace& workspace, const Options& options, const graph::EnvironmentConfig& to,
                           const std::map<std::string, cache::LedgerEntry>& sources, const std::string& out_flag,
                           std::size_t pushes, bool dry_run, const PusherFactory& make_pusher,
                           const std::function<void(const DeployedService&)>& pushed,
                           const std::atomic<bool>* cancel, DeployReport& report) {
  auto cache = workspace.cache();
  if (!cache) return std::unexpected(cache.error());
  const std::string out_dir = out_flag.empty() ? repo_root(workspace) + "/.wharf/out/" + to.name
                                               : from_directory(options, out_flag);
  fs::RealFileSystem fs;
  auto hints = mount_hints((*cache)->ledger());
  if (!hints) return std::unexpected(hints.error());
  std::map<std::string, push::Artifact> artifacts;
  std::vector<PushJob> jobs;
  for (DeployedService& out : report.services) {
    auto source = sources.find(out.name);
    if (!out.status.empty() || source == sources.end()) continue;
    const cache::LedgerEntry& entry = source->second;
    auto record = (*cache)->find_artifact(entry.input_key);
    if (!record) return std::unexpected(record.error());
    if (entry.input_key.empty() || !*record ||
        (!entry.artifact_digest.empty() && (*record)->digest != entry.artifact_digest)) {
      out.status = "refused";
      out.reason = fmt::format("the artifact of {} at {} (key {}) is not in this cache; check that commit out and "
                               "run wharf deploy --env {} there",
                               out.name, entry.sha.substr(0, 7), entry.input_key.empty() ? "unknown" : entry.input_key,
                               to.name);
      continue;
    }
    push::Artifact artifact;
    artifact.service = out.name;
    artifact.environment = to.name;
    artifact.kind = (*record)->kind;
    artifact.digest = "sha256:" + (*record)->digest;
    artifact.size = (*record)->size;
    artifact.media_type = artifact.kind == "zip" ? "application/zip" : kImageManifestType;
    artifact.sha = entry.sha;
    auto commit = workspace.repo().resolve_commit(entry.sha);
    artifact.short_sha = commit ? workspace.repo().short_id(*commit) : entry.sha.substr(0, 7);
    artifact.key = entry.input_key;
    artifact.tags = {entry.tag.empty() ? artifact.short_sha : entry.tag};
    auto tags = tags_for(to, artifact);
    if (!tags) {
      out.status = "failed";
      out.reason = tags.error().message;
      continue;
    }
    artifact.tags = std::move(*tags);
    auto path = export_cached_artifact(fs, **cache, **record, out_dir, out.name, artifact.tags.front());
    if (!path) {
      out.status = "failed";
      out.reason = path.error().message;
      continue;
    }
    artifact.path = *path;
    if (auto it = hints->find({out.name, (*record)->digest}); it != hints->end()) artifact.mount_from = it->second;
    artifacts.emplace(out.name, artifact);
    jobs.push_back(PushJob{std::move(artifact), &to.push_for(out.name), &out});
  }
  auto context = push_context(workspace);
  if (!context) return std::unexpected(context.error());
  run_pushes(jobs, pushes, factory_or_default(make_pusher), *context, dry_run, cancel, pushed);
  if (dry_run) return ok();
  return record_pushes(workspace, to.name, report.services, artifacts);
}

}  // namespace

bool DeployReport::any_failed() const {
  return std::any_of(services.begin(), services.end(),
                     [](const DeployedService& s) { return s.status == "failed" || s.status == "refused"; });
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
    if (s.status == "failed" || s.status == "refused") failed.push_back(s.name);
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

}  // namespace wharf::workspace
