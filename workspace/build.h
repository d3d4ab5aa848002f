// `wharf build`: for each service the plan marks DEPLOY, its input key; a
// cached artifact for the key is reused (no command runs), otherwise the
// service's build command runs, its files are packed into a zip or an OCI
// image, the blobs are stored and the artifact recorded under the key. Every
// artifact, hit or built, is then exported to the output directory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cache/cache.h"
#include "fs/file_system.h"
#include "util/error.h"
#include "workspace/plan.h"
#include "workspace/workspace.h"

namespace wharf::workspace {

struct BuildRequest {
  PlanRequest plan;                   // with neither since nor live_file: every service is built
  std::vector<std::string> services;  // only these (empty: all)
  std::size_t jobs = 0;               // build commands at once (0: the number of cores)
  bool keep_going = false;            // a failure does not stop the other services
  std::string out_dir;                // exported artifacts; default <root>/.wharf/out; relative to -C's directory
  // A plan made already (`wharf deploy`): its DEPLOY services are built,
  // instead of planning again from `plan`'s bases.
  const plan::Plan* given_plan = nullptr;
};

enum class BuildStatus { hit, built, failed, skipped };
const char* status_name(BuildStatus status);

struct BuiltService {
  std::string name;
  std::string key;  // the input key ("" when not computed: skipped by the plan)
  BuildStatus status = BuildStatus::skipped;
  std::string kind;    // "zip" | "image" | "" (no artifact configured)
  std::string digest;  // "sha256:..." of the zip, or of the image manifest
  std::uint64_t size = 0;
  std::string tag;
  std::string path;    // the exported zip or OCI layout
  std::string reason;  // skipped or failed: why
  std::string log;     // the build command's log, when one ran
  double build_seconds = 0;
};

struct BuildReport {
  std::vector<BuiltService> services;  // in wharf.toml order
  std::vector<std::string> warnings;
  bool any_failed() const;
};

// `wharf build --json`: {"services": [{name, key, status, kind, digest, size,
// tag, path, and reason, log, build_seconds when set}]}.
std::string report_to_json(const BuildReport& report);

// What a build reports while it runs (progress display; may be called from
// several threads at once).
struct BuildEvents {
  std::function<void(const std::string& service, const char* phase)> phase;  // "build", "pack", "export"
  std::function<void(const std::string& service, std::uint64_t files, std::uint64_t bytes)> packed;
  std::function<void(const BuiltService&)> finished;
};

// Builds what the request names. A service's failure is in its BuiltService
// (status failed, reason, log); the Result fails only for what stops
// everything (config, repository, cache errors). When `cancel` becomes true
// (Ctrl-C) running commands are stopped and no new work starts; what was
// not finished is reported failed ("cancelled") and nothing half-written is
// left in the cache or the output directory.
Result<BuildReport> build_services(Workspace& workspace, const Options& options, const BuildRequest& request,
                                   const BuildEvents& events, const std::atomic<bool>* cancel);

// Exports a cached artifact as `wharf build` does: <out_dir>/<name>.zip, or
// the OCI layout <out_dir>/<name> tagged `tag`. Returns the path.
Result<std::string> export_cached_artifact(fs::FileSystem& fs, const cache::Cache& cache,
                                           const cache::ArtifactRecord& rec, const std::string& out_dir,
                                           const std::string& name, const std::string& tag);

}  // namespace wharf::workspace
