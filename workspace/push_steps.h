// The steps `wharf deploy`, its rollback and `wharf promote` share
// (workspace/deploy.h is the interface; this header is its internals).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/ledger.h"
#include "graph/environment_config.h"
#include "plan/plan.h"
#include "push/make_pusher.h"
#include "workspace/deploy.h"

namespace wharf::workspace {

inline constexpr const char* kImageManifestType = "application/vnd.oci.image.manifest.v1+json";

// "sha256:<hex>" -> "<hex>".
std::string strip_sha256(std::string_view digest);

// The tags an artifact gets in an environment: the push table's templates,
// else the environment's `tag` (what `wharf plan --format terraform` names).
Result<std::vector<std::string>> tags_for(const graph::EnvironmentConfig& environment, push::Artifact& artifact);

Result<const graph::EnvironmentConfig*> environment_named(const std::vector<graph::EnvironmentConfig>& all,
                                                          const std::string& name, const Workspace& workspace);

// ErrorKind::config naming the services `environment` has no push table for.
Result<void> check_push_targets(const graph::EnvironmentConfig& environment, const std::vector<std::string>& services,
                                const Workspace& workspace);

// One artifact to push, and where its outcome goes.
struct PushJob {
  push::Artifact artifact;
  const graph::PushTarget* target = nullptr;
  DeployedService* out = nullptr;
};

// Pushes (or, dry_run, previews) every job, `parallel` at once; `pushed`
// hears of each as it ends.
void run_pushes(std::vector<PushJob>& jobs, std::size_t parallel, const PusherFactory& factory,
                const push::PushContext& context, bool dry_run, const std::atomic<bool>* cancel,
                const std::function<void(const DeployedService&)>& pushed);

// (service, artifact digest hex) -> "host/repo" it went to by registry, from
// every environment's ledger: where a registry pusher may mount from.
using MountHints = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;
Result<MountHints> mount_hints(cache::Ledger& ledger);

PusherFactory factory_or_default(const PusherFactory& given);
std::string repo_root(const Workspace& workspace);
// The repository root and the log directory (<cache>/logs, created).
Result<push::PushContext> push_context(Workspace& workspace);

// Ledger entries in `environment` for the services pushed ("pushed" or
// "present"), in one transaction.
Result<void> record_pushes(Workspace& workspace, const std::string& environment,
                           const std::vector<DeployedService>& services,
                           const std::map<std::string, push::Artifact>& artifacts);

// The handoff files the request asks for, of what is now deployed (what
// failed is left out); returns their paths.
Result<std::vector<std::string>> write_handoff(const DeployRequest& request, const Options& options,
                                               const plan::Plan& plan, const graph::EnvironmentConfig& environment,
                                               const std::vector<DeployedService>& services);

// Pushes artifacts the ledger recorded (promote, rollback): each `sources`
// entry's artifact, taken from the cache by its input key and exported,
// goes to `to`'s pusher with `to`'s tags for its commit; what was pushed is
// recorded in `to`. Services of `report` that have a status already
// (refused, skip) are left alone.
Result<void> push_recorded(Workspace& workspace, const Options& options, const graph::EnvironmentConfig& to,
                           const std::map<std::string, cache::LedgerEntry>& sources, const std::string& out_flag,
                           std::size_t pushes, bool dry_run, const PusherFactory& make_pusher,
                           const std::function<void(const DeployedService&)>& pushed,
                           const std::atomic<bool>* cancel, DeployReport& report);

}  // namespace wharf::workspace
