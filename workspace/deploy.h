// `wharf deploy --env E`: plan against E's live state, build what must be
// deployed (cached artifacts reused), push each one with the environment's
// pusher in parallel, then record in the ledger the services whose push
// succeeded and write the handoff files (tfvars, targets, GitHub output).
// `wharf promote --from A --to B`: push the exact artifacts the ledger
// recorded for A to B's pushers, with no plan and no build.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/push_target.h"
#include "plan/plan.h"
#include "push/make_pusher.h"
#include "push/pusher.h"
#include "util/error.h"
#include "workspace/build.h"
#include "workspace/plan.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

// Makes the pusher of one service's artifact; the default is push/'s.
using PusherFactory = std::function<Result<std::unique_ptr<push::Pusher>>(
    const graph::PushTarget& target, const push::Artifact& artifact, const push::PushContext& context)>;

struct DeployRequest {
  std::string environment;
  std::vector<std::string> services;  // only these (empty: all)
  std::string head = "HEAD";
  // A rollback (`--sha REV`): each service's artifact recorded at REV (in
  // this environment's ledger history, else another's) is pushed again from
  // the cache: nothing is planned or built, only tags move.
  std::string rollback;
  std::size_t to_ledger = 0;  // `--to-ledger N`: each service's N-th deploy before its current one
  plan::MissingBase missing_base = plan::MissingBase::error;
  std::string fetch_remote;  // --fetch-missing (workspace/fetch.h)
  bool dry_run = false;      // preview each push; nothing is pushed or recorded
  std::size_t jobs = 0;      // build commands at once (0: the number of cores)
  std::size_t pushes = 4;    // services pushed at once
  std::string out_dir;       // exported artifacts (as `wharf build --out`)
  std::string tfvars_out;    // handoff files, written after the pushes ("" = none)
  std::string targets_out;
  std::string github_output;
  PusherFactory make_pusher;  // empty: push::make_pusher
};

// What happened to one service. `status`: "skip" (the plan skips it),
// "pushed", "present" (the target held it already; tags may have moved),
// "would-push" / "would-skip" (--dry-run), "failed" (build or push),
// "no-artifact" (the service has no zip or image table: nothing to push),
// "refused" (promote, rollback: see their rules).
struct DeployedService {
  std::string name;
  bool deploy = false;  // the plan's verdict
  std::string reason;   // the plan's first reason, or why it failed
  std::string status;
  std::string build;  // "hit", "built", "failed", "" (not built)
  std::string pusher;
  std::string digest;
  std::string tag;
  std::string location;
  std::uint64_t bytes_sent = 0;     // --dry-run: the bytes it would send
  std::uint64_t bytes_present = 0;
  std::size_t requests = 0;
  double seconds = 0;  // of the push
  bool failed() const { return status == "failed" || status == "refused"; }
  // Ended before a push, so no `pushed` event told of it (skipped, no
  // artifact, failed before its pusher ran): a caller that prints as pushes
  // finish prints these at the end. (A refusal is printed as an error.)
  bool ended_without_push() const {
    return status == "skip" || status == "no-artifact" || (status == "failed" && pusher.empty());
  }
};

struct DeployReport {
  std::string environment;
  std::string head;  // full SHA
  bool dry_run = false;
  bool nothing_to_deploy = false;
  std::vector<DeployedService> services;  // in wharf.toml order
  std::vector<std::string> warnings;
  std::vector<std::string> written;  // handoff files written
  bool any_failed() const;
  std::uint64_t bytes_sent() const;
};

// Called once it is known what will be deployed (service, why), when the
// environment says `confirm = true`; false stops the deploy before any
// build or push (ErrorKind::usage "not confirmed").
using ConfirmFn = std::function<bool(const std::vector<std::pair<std::string, std::string>>& services)>;

struct DeployEvents {
  BuildEvents build;
  ConfirmFn confirm;  // empty: confirmed (--yes)
  std::function<void(const DeployedService&)> pushed;  // each service, once its push ended
};

// A service's failure is in its DeployedService; the Result fails for what
// stops everything (config, repository, cache, the plan, an environment
// without a push table for a service to deploy).
Result<DeployReport> deploy(Workspace& workspace, const Options& options, const DeployRequest& request,
                            const DeployEvents& events, const std::atomic<bool>* cancel);

struct PromoteRequest {
  std::string from, to;
  std::vector<std::string> services;  // empty: every service with an entry in `from`
  bool force = false;    // promote even what `from` did not verify, or what is older than `to`'s
  bool dry_run = false;
  std::size_t pushes = 4;
  std::string out_dir;
  PusherFactory make_pusher;
  ConfirmFn confirm;  // asked when `to` says confirm = true; empty: confirmed (--yes)
};

// Refusals (no entry in `from`, not verified there, older than `to`'s,
// artifact no longer cached) are per service: status "refused" and the
// reason; the others are promoted.
Result<DeployReport> promote(Workspace& workspace, const Options& options, const PromoteRequest& request,
                             const std::function<void(const DeployedService&)>& pushed,
                             const std::atomic<bool>* cancel);

// `--json` of both: {"environment", "head", "dry_run", "nothing_to_deploy",
// "bytes_sent", "failed": [names], "services": [{name, deploy, reason,
// status, build, pusher, digest, tag, location, bytes_sent, bytes_present,
// requests, seconds}]}.
std::string deploy_report_to_json(const DeployReport& report);

// The text output: one line per service ("pushed     api TAG -> LOCATION
// (registry, 1.2 KiB sent)  (reason)"), and the closing line ("deployed to
// dev: 3.4 KiB sent", or that there was nothing to deploy).
std::string deploy_service_line(const DeployedService& service);
std::string deploy_summary_line(const DeployReport& report, std::string_view verb);

}  // namespace wharf::workspace
