// What commands do with an environment (`--env NAME`): read each service's
// live value from the environment's sources, compare it with the ledger
// (drift), plan against it, record deploys done by other tools, show the
// status, and wait until a deploy is live (verify). The CLI only parses flags
// and prints what these return.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cache/records.h"
#include "env/live_reader.h"
#include "graph/environment_config.h"
#include "plan/plan.h"
#include "workspace/plan.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

// The environments of the workspace's config, read from wharf.toml (they are
// not in its snapshot).
Result<std::vector<graph::EnvironmentConfig>> environments(const Workspace& workspace);

// One service in an environment.
struct ServiceState {
  env::LiveRead read;                          // what the source said
  std::optional<std::string> live_sha;         // the commit it names, when it names one in this repository
  std::optional<cache::LedgerEntry> recorded;  // the newest ledger entry
  std::optional<plan::Drift> drift;            // live and recorded name different commits
  std::string problem;  // why there is no live_sha though the source answered, or the read's error
};

// What `wharf status` says of a service against `head` (a full SHA): error,
// drift, not-live, at-head or behind.
std::string state_name(const ServiceState& state, const std::string& head);

struct EnvironmentState {
  graph::EnvironmentConfig environment;
  std::string head;                    // full SHA of --head
  std::vector<ServiceState> services;  // config order, or the --services order
};

// Reads every selected service's live value (in parallel, within the
// environment's deadline) and its ledger entry. Per-service failures are in
// ServiceState::problem; errors are for the run (unknown environment or
// service, an unreadable config or cache).
Result<EnvironmentState> read_environment(Workspace& workspace, const std::string& name,
                                          const std::vector<std::string>& services, const std::string& head = "HEAD");

// `wharf plan --env NAME`: request.environment names it. A service whose live
// value cannot be read or is not a commit here fails the run (every such
// service listed, each with its URL or command and what came back) or, with
// --missing-base=deploy, deploys with that reason.
struct EnvironmentPlan {
  plan::Plan plan;
  EnvironmentState state;
};
Result<EnvironmentPlan> plan_environment(Workspace& workspace, const Options& options, const PlanRequest& request,
                                         Stopwatch* laps = nullptr);

// `wharf record --env E [--services ...] [--sha REV]`: ledger entries saying
// REV (default HEAD) is deployed for those services (default all), each with
// the time, and, when REV is HEAD, the service's input key and the digest of
// its cached artifact if there is one. Returns the entries written.
struct RecordRequest {
  std::string environment;
  std::vector<std::string> services;
  std::string sha = "HEAD";
};
Result<std::vector<std::pair<std::string, cache::LedgerEntry>>> record_deploy(Workspace& workspace,
                                                                              const RecordRequest& request);

// `wharf verify`: polls the services' live values until each names
// `expected` (default HEAD) or `timeout` passes, backing off between rounds.
struct VerifyRequest {
  std::string environment;
  std::vector<std::string> services;
  std::string expected = "HEAD";
  std::chrono::milliseconds timeout{300'000};
  std::chrono::milliseconds first_wait{500};  // doubled each round, at most max_wait
  std::chrono::milliseconds max_wait{10'000};
};
struct VerifyRow {
  std::string service;
  std::string seen;  // the last live value read ("" if none), or its error
  bool converged = false;
  double seconds = 0;  // from the start until it converged, or until the end
};
struct VerifyResult {
  std::string expected;  // full SHA
  std::vector<VerifyRow> rows;
  bool all_converged() const;
};
Result<VerifyResult> verify_environment(Workspace& workspace, const VerifyRequest& request);

}  // namespace wharf::workspace
