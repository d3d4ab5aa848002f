// The steps `wharf deploy`, its rollback and `wharf promote` share: tags,
// pushes in parallel, ledger records, handoff files, and pushing artifacts
// the ledger recorded.
#include "workspace/push_steps.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "env/handoff.h"
#include "fs/real_file_system.h"
#include "push/template.h"
#include "util/text.h"
#include "workspace/environment.h"

namespace wharf::workspace {
namespace {

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

}  // namespace


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

}  // namespace wharf::workspace
