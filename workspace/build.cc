#include "workspace/build.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <semaphore>
#include <thread>

#include <fmt/format.h>
#include <tbb/parallel_for_each.h>
#include <nlohmann/json.hpp>

#include "cache/cache.h"
#include "fs/real_file_system.h"
#include "graph/artifact_spec.h"
#include "hashing/hasher.h"
#include "packer/base_image.h"
#include "packer/image_compose.h"
#include "packer/image_import.h"
#include "packer/layer_packer.h"
#include "packer/layout_export.h"
#include "packer/zip_packer.h"
#include "push/registry_pusher.h"
#include "proc/process.h"
#include "util/text.h"
#include "vcs/repository.h"
#include "workspace/artifact_files.h"
#include "workspace/environment.h"
#include "workspace/keys.h"

namespace wharf::workspace {

const char* status_name(BuildStatus status) {
  switch (status) {
    case BuildStatus::hit:
      return "hit";
    case BuildStatus::built:
      return "built";
    case BuildStatus::failed:
      return "failed";
    case BuildStatus::skipped:
      break;
  }
  return "skipped";
}

// Field names are a contract (README "Artifacts"): add, never rename.
std::string report_to_json(const BuildReport& report) {
  nlohmann::ordered_json services = nlohmann::ordered_json::array();
  for (const auto& s : report.services) {
    nlohmann::ordered_json j;
    j["name"] = s.name;
    j["key"] = s.key;
    j["status"] = status_name(s.status);
    j["kind"] = s.kind;
    j["digest"] = s.digest;
    j["size"] = s.size;
    j["tag"] = s.tag;
    j["path"] = s.path;
    if (!s.reason.empty()) j["reason"] = s.reason;
    if (!s.log.empty()) j["log"] = s.log;
    if (s.build_seconds > 0) j["build_seconds"] = s.build_seconds;
    services.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["services"] = std::move(services);
  return out.dump(2) + "\n";
}

bool BuildReport::any_failed() const {
  return std::any_of(services.begin(), services.end(), [](const auto& s) { return s.status == BuildStatus::failed; });
}

namespace {

std::string sha_hex(std::string_view digest) {
  return std::string(digest.starts_with("sha256:") ? digest.substr(7) : digest);
}

// Everything one build run shares between its services.
struct Context {
  Workspace* workspace = nullptr;
  cache::Cache* cache = nullptr;
  std::mutex cache_mutex;            // the cache is not thread-safe: one call at a time
  fs::RealFileSystem* fs = nullptr;  // rooted at the work tree
  std::vector<std::string> tracked;  // the index's paths, sorted
  std::string root;                  // the work tree, no trailing '/'
  std::string out_dir;
  std::string head_sha;
  std::string head_short;
  std::int64_t epoch = packer::kDefaultEpoch;
  const hashing::KeySet* keys = nullptr;
  std::counting_semaphore<1024>* commands = nullptr;
  const BuildEvents* events = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::atomic<bool> stop{false};  // a failure without --keep-going
  bool keep_going = false;

  bool cancelled() const { return cancel && cancel->load(); }

  void phase(const std::string& service, const char* name) const {
    if (events->phase) events->phase(service, name);
  }

  template <class F>
  auto locked(F&& f) {
    std::lock_guard lock(cache_mutex);
    return f(*cache);
  }
};

// Holds one of the -j slots for build commands while it lives.
class ProcessGuard {
 public:
  explicit ProcessGuard(std::counting_semaphore<1024>& slots) : slots_(slots) { slots_.acquire(); }
  ~ProcessGuard() { slots_.release(); }
  ProcessGuard(const ProcessGuard&) = delete;
  ProcessGuard& operator=(const ProcessGuard&) = delete;

 private:
  std::counting_semaphore<1024>& slots_;
};

// A failure of one service, already worded for the user.
struct Failure {
  std::string reason;
};

template <class T>
using Step = std::expected<T, Failure>;

Failure failure(const Error& error) { return Failure{error.message}; }

std::string log_path(const Context& ctx, const std::string& service) {
  return fmt::format("{}/logs/{}.log", ctx.cache->dir(), service);
}

// Runs the service's build command, if it has one.
Step<void> run_command(Context& ctx, const graph::ComponentConfig& config, BuiltService& out) {
  if (config.build.value.empty()) return {};
  ctx.phase(out.name, "build");
  ProcessGuard guard(*ctx.commands);
  if (ctx.cancelled()) return std::unexpected(Failure{"cancelled"});
  proc::ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", config.build.value};
  spec.cwd = config.workdir.value.empty() ? ctx.root : ctx.root + "/" + config.workdir.value;
  spec.env = {"WHARF_SERVICE=" + out.name, "WHARF_INPUT_KEY=" + out.key, "WHARF_SHA=" + ctx.head_sha,
              "SOURCE_DATE_EPOCH=" + std::to_string(ctx.epoch)};
  out.log = log_path(ctx, out.name);
  spec.log_path = out.log;
  const auto start = std::chrono::steady_clock::now();
  auto result = proc::run_process(spec, ctx.cancel);
  out.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result) return std::unexpected(failure(result.error()));
  if (result->cancelled) return std::unexpected(Failure{"cancelled"});
  if (!result->ok()) {
    std::string tail = proc::tail_lines(out.log, 20);
    return std::unexpected(Failure{fmt::format("build command `{}` {} (log: {}){}", printable(config.build.value),
                                               result->describe(), out.log, tail.empty() ? "" : ":\n" + tail)});
  }
  return {};
}

// `path` relative to the work tree ("" when outside it: nothing to skip).
std::string relative_to_root(const Context& ctx, const std::string& path) {
  if (path.size() > ctx.root.size() + 1 && path.starts_with(ctx.root + "/")) return path.substr(ctx.root.size() + 1);
  return {};
}

FileUniverse universe(const Context& ctx, const graph::ComponentConfig& config) {
  FileUniverse u;
  u.fs = ctx.fs;
  u.tracked = ctx.tracked;
  u.outputs = config.outputs;
  const vcs::Repository* repo = &ctx.workspace->repo();
  u.is_ignored = [repo](const std::string& path) { return vcs::is_ignored(*repo, path); };
  u.skip_dirs = {".git", relative_to_root(ctx, ctx.cache->dir()), relative_to_root(ctx, ctx.out_dir)};
  return u;
}

// A temporary path in the cache's tmp/ for a blob being packed.
std::string temp_blob(const Context& ctx, std::string_view hint) { return ctx.cache->blobs().temp_path(hint); }

Step<cache::ArtifactRecord> record(Context& ctx, const BuiltService& out, cache::ArtifactRecord rec) {
  rec.service = out.name;
  auto put = ctx.locked([&](cache::Cache& c) { return c.put_artifact(out.key, rec, ""); });
  if (!put) return std::unexpected(failure(put.error()));
  return *put;
}

Step<cache::ArtifactRecord> pack_zip(Context& ctx, const graph::ComponentConfig& config, const graph::ZipSpec& spec,
                                     BuiltService& out) {
  auto entries = resolve_mappings(universe(ctx, config), spec.files, out.name);
  if (!entries) return std::unexpected(failure(entries.error()));
  ctx.phase(out.name, "pack");
  std::uint64_t files = entries->size();
  packer::ZipOptions options;
  options.epoch = ctx.epoch;
  auto packed = packer::pack_zip(*ctx.fs, std::move(*entries), options,
                                 packer::BlobTarget::file(temp_blob(ctx, "zip"), fs::Sync::none));
  if (!packed) return std::unexpected(failure(packed.error()));
  if (ctx.events->packed) ctx.events->packed(out.name, files, packed->size);
  auto blob = ctx.cache->blobs().adopt_file(packed->path, packed->sha256);
  if (!blob) return std::unexpected(failure(blob.error()));
  cache::ArtifactRecord rec;
  rec.kind = "zip";
  rec.digest = packed->sha256;
  rec.size = packed->size;
  rec.blobs = {cache::BlobRef{packed->sha256, packed->size, "application/zip"}};
  return record(ctx, out, std::move(rec));
}

// Stores the blobs of a composed or imported image and records it. Layers
// from `first_owned` on are files wharf packed (moved into the store); the
// ones before belong to someone else (a base layout, an import).
Step<cache::ArtifactRecord> store_image(Context& ctx, const packer::ComposedImage& image, BuiltService& out,
                                        std::size_t first_owned) {
  const cache::BlobStore& blobs = ctx.cache->blobs();
  cache::ArtifactRecord rec;
  rec.kind = "image";
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    const packer::BlobDescriptor& layer = image.layers[i];
    const std::string hex = sha_hex(layer.digest);
    // Layers wharf packed are moved in; a base image's are linked (or
    // copied) and checked against their digest.
    auto stored =
        i >= first_owned ? blobs.adopt_file(image.layer_paths[i], hex) : blobs.link_file(image.layer_paths[i], hex);
    if (!stored) return std::unexpected(failure(stored.error()));
    rec.blobs.push_back(cache::BlobRef{hex, layer.size, layer.media_type});
  }
  for (const auto& [descriptor, bytes] :
       {std::pair{&image.config, &image.config_json}, std::pair{&image.manifest, &image.manifest_json}}) {
    auto stored = blobs.put_bytes(*bytes);
    if (!stored) return std::unexpected(failure(stored.error()));
    rec.blobs.push_back(cache::BlobRef{stored->digest, stored->size, descriptor->media_type});
  }
  rec.digest = sha_hex(image.manifest.digest);
  rec.size = image.manifest.size;
  rec.media_type = image.manifest.media_type;
  return record(ctx, out, std::move(rec));
}

// A base image in a registry (pinned by digest), pulled once into the cache
// (<cache>/bases/<hex>, an OCI layout) and read from there ever after: the
// digest names its bytes, so it never needs asking again. Registries listed
// in $WHARF_INSECURE_REGISTRIES ("host:port,...", as docker's
// insecure-registries) are spoken to over plain http.
Result<std::string> pull_base(Context& ctx, const graph::RegistryBase& base) {
  const std::string layout = ctx.cache->dir() + "/bases/" + base.digest.substr(7);
  if (ctx.fs->stat(layout + "/index.json")) return layout;
  push::RegistryTarget source;
  source.registry = base.registry;
  source.repository = base.repository;
  if (auto insecure = ctx.workspace->host().getenv("WHARF_INSECURE_REGISTRIES")) {
    for (const std::string& host : split_list(*insecure, ',')) source.insecure |= host == base.registry;
  }
  if (auto made = ctx.fs->make_dirs(ctx.cache->dir() + "/bases"); !made) return std::unexpected(made.error());
  // Two services on the same base may pull it at once: each writes beside
  // the layout and renames it into place, so either result is whole.
  auto pulled = push::pull_image(source, base.digest, layout);
  if (!pulled) return std::unexpected(pulled.error());
  return layout;
}

Step<cache::ArtifactRecord> pack_image(Context& ctx, const graph::ComponentConfig& config, const graph::ImageSpec& spec,
                                       BuiltService& out) {
  auto platform = packer::parse_platform(spec.platform);
  if (!platform) return std::unexpected(failure(platform.error()));
  if (!spec.import.empty()) {
    ctx.phase(out.name, "import");
    std::string scratch = temp_blob(ctx, "import");
    auto image = packer::import_image(*ctx.fs, spec.import, *platform, scratch);
    if (!image) return std::unexpected(failure(image.error()));
    // Imported layers are the build's files: link them, never move them.
    auto stored = store_image(ctx, *image, out, image->layers.size());
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
    return stored;
  }
  std::string base_text = spec.base;
  if (auto registry_base = graph::parse_registry_base(base_text)) {
    auto layout = pull_base(ctx, *registry_base);
    if (!layout) return std::unexpected(failure(layout.error()));
    base_text = "oci:" + *layout + ":" + registry_base->digest;
  } else if (base_text.starts_with("oci:")) {
    // oci:DIR:TAG with DIR relative to the repository root.
    std::string rest = base_text.substr(4);
    if (!rest.starts_with('/')) base_text = "oci:" + ctx.root + "/" + rest;
  }
  auto base = packer::parse_base_ref(base_text);
  if (!base) return std::unexpected(failure(base.error()));
  ctx.phase(out.name, "pack");
  std::vector<packer::NewLayer> layers;
  std::uint64_t files = 0, bytes = 0;
  for (const graph::LayerSpec& layer_spec : spec.layers) {
    auto entries = resolve_mappings(universe(ctx, config), layer_spec.files, out.name);
    if (!entries) return std::unexpected(failure(entries.error()));
    files += entries->size();
    packer::LayerOptions options;
    options.epoch = ctx.epoch;
    options.compression = spec.compression == "zstd" ? packer::LayerCompression::zstd : packer::LayerCompression::gzip;
    auto packed = packer::pack_layer(*ctx.fs, std::move(*entries), options,
                                     packer::BlobTarget::file(temp_blob(ctx, "layer"), fs::Sync::none));
    if (!packed) return std::unexpected(failure(packed.error()));
    bytes += packed->blob.size;
    if (ctx.events->packed) ctx.events->packed(out.name, files, bytes);
    layers.push_back(packer::NewLayer{std::move(*packed), fmt::format("wharf: {} of {}", layer_spec.name, out.name)});
    if (ctx.cancelled()) return std::unexpected(Failure{"cancelled"});
  }
  packer::ImageConfig image_config;
  image_config.entrypoint = spec.entrypoint;
  image_config.cmd = spec.cmd;
  image_config.env = spec.env;
  image_config.workdir = spec.workdir;
  image_config.user = spec.user;
  image_config.labels = spec.labels;
  image_config.exposed_ports = spec.exposed_ports;
  image_config.platform = *platform;
  image_config.epoch = ctx.epoch;
  auto image = packer::compose_image(*ctx.fs, *base, layers, image_config);
  if (!image) return std::unexpected(failure(image.error()));
  const std::size_t base_layers = image->layers.size() - layers.size();
  return store_image(ctx, *image, out, base_layers);
}

// Writes the artifact to the output directory: the zip as <service>.zip, an
// image as the OCI layout <service>/ (tagged with this run's tag).
Step<void> export_artifact(Context& ctx, const cache::ArtifactRecord& rec, BuiltService& out) {
  ctx.phase(out.name, "export");
  auto path = export_cached_artifact(*ctx.fs, *ctx.cache, rec, ctx.out_dir, out.name, out.tag);
  if (!path) return std::unexpected(failure(path.error()));
  out.path = *path;
  return {};
}

// One service: hit or build, then export.
void build_one(Context& ctx, const graph::ComponentConfig& config, const graph::ArtifactSpec& spec, BuiltService& out) {
  auto finish = [&](Step<void> step) {
    if (!step) {
      out.status = BuildStatus::failed;
      out.reason = step.error().reason;
      if (!ctx.keep_going) ctx.stop = true;
    }
    if (ctx.events->finished) ctx.events->finished(out);
  };
  if (ctx.stop || ctx.cancelled()) {
    out.status = ctx.cancelled() ? BuildStatus::failed : BuildStatus::skipped;
    out.reason = ctx.cancelled() ? "cancelled" : "not started: another service failed (use --keep-going)";
    if (ctx.events->finished) ctx.events->finished(out);
    return;
  }
  auto found = ctx.locked([&](cache::Cache& c) { return c.find_artifact(out.key); });
  if (!found) return finish(std::unexpected(failure(found.error())));
  cache::ArtifactRecord rec;
  if (found->has_value() && (**found).kind == out.kind) {
    rec = **found;
    out.status = BuildStatus::hit;  // marked used after the run, all in one transaction
  } else {
    if (auto ran = run_command(ctx, config, out); !ran) return finish(std::unexpected(ran.error()));
    if (auto made = check_outputs(*ctx.fs, config.outputs, out.name); !made) {
      return finish(std::unexpected(failure(made.error())));
    }
    if (ctx.cancelled()) return finish(std::unexpected(Failure{"cancelled"}));
    auto packed = spec.kind == graph::ArtifactKind::zip ? pack_zip(ctx, config, spec.zip, out)
                                                        : pack_image(ctx, config, spec.image, out);
    if (!packed) return finish(std::unexpected(packed.error()));
    rec = *packed;
    out.status = BuildStatus::built;
  }
  out.digest = "sha256:" + rec.digest;
  out.size = rec.size;
  finish(export_artifact(ctx, rec, out));
}

}  // namespace

Result<std::string> export_cached_artifact(fs::FileSystem& fs, const cache::Cache& cache,
                                           const cache::ArtifactRecord& rec, const std::string& out_dir,
                                           const std::string& name, const std::string& tag) {
  if (auto made = fs.make_dirs(out_dir); !made) return std::unexpected(made.error());
  // Invisible to git, hence to wharf's keys, as the cache directory is.
  const std::string ignore = out_dir + "/.gitignore";
  if (!fs.stat(ignore)) {
    if (auto w = fs.write_file_atomic(ignore, "*\n", fs::Sync::none); !w) return std::unexpected(w.error());
  }
  const cache::BlobStore& blobs = cache.blobs();
  if (rec.kind == "zip") {
    std::string path = fmt::format("{}/{}.zip", out_dir, name);
    if (auto done = packer::export_file(fs, blobs.path(rec.digest), path); !done) return std::unexpected(done.error());
    return path;
  }
  std::string path = fmt::format("{}/{}", out_dir, name);
  packer::BlobDescriptor manifest{rec.media_type, "sha256:" + rec.digest, rec.size};
  auto done = packer::export_layout(
      fs, manifest, [&blobs](std::string_view hex) { return blobs.path(hex); }, tag, path);
  if (!done) return std::unexpected(done.error());
  return path;
}

Result<BuildReport> build_services(Workspace& workspace, const Options& options, const BuildRequest& request,
                                   const BuildEvents& events, const std::atomic<bool>* cancel) {
  const graph::Graph& graph = workspace.graph();
  auto selected = select_services(graph, request.services);
  if (!selected) return std::unexpected(selected.error());

  BuildReport report;
  std::vector<std::string> to_build;
  std::map<std::string, std::string> skip_reason;
  const bool planned =
      !request.plan.since.empty() || !request.plan.live_file.empty() || !request.plan.environment.empty();
  if (request.given_plan) {
    report.warnings = request.given_plan->warnings;
    for (const plan::ServicePlan& s : request.given_plan->services) {
      if (s.action == plan::Action::deploy) {
        to_build.push_back(s.name);
      } else {
        skip_reason[s.name] = "no change since its base";
      }
    }
  } else if (planned) {
    PlanRequest plan_request = request.plan;
    plan_request.services = request.services;
    Result<plan::Plan> plan = fail(ErrorKind::usage, "");
    if (!plan_request.environment.empty()) {
      auto env_plan = plan_environment(workspace, options, plan_request);
      if (!env_plan) return std::unexpected(env_plan.error());
      plan = std::move(env_plan->plan);
    } else {
      plan = plan_services(workspace, options, plan_request);
    }
    if (!plan) return std::unexpected(plan.error());
    report.warnings = plan->warnings;
    for (const plan::ServicePlan& s : plan->services) {
      if (s.action == plan::Action::deploy) {
        to_build.push_back(s.name);
      } else {
        skip_reason[s.name] = "no change since its base";
      }
    }
  } else {
    for (const graph::Service* s : *selected) to_build.push_back(s->name);
  }

  // The artifact of each service to build, checked before any work starts.
  std::map<std::string, graph::ArtifactSpec> specs;
  std::vector<std::string> with_artifact;
  for (const std::string& name : to_build) {
    auto spec = graph::artifact_spec(*graph.find_service(name)->config);
    if (!spec) return std::unexpected(spec.error());
    if (spec->kind == graph::ArtifactKind::none) {
      skip_reason[name] = fmt::format("no artifact configured: add [service.{}.zip] or [service.{}.image]", name, name);
      continue;
    }
    with_artifact.push_back(name);
    specs.emplace(name, std::move(*spec));
  }

  Context ctx;
  ctx.workspace = &workspace;
  ctx.events = &events;
  ctx.cancel = cancel;
  ctx.keep_going = request.keep_going;
  ctx.root = workspace.repo().workdir();
  while (ctx.root.size() > 1 && ctx.root.back() == '/') ctx.root.pop_back();
  ctx.out_dir = request.out_dir.empty() ? ctx.root + "/.wharf/out" : from_directory(options, request.out_dir);
  auto head = workspace.repo().resolve_commit(request.plan.head);
  if (!head) {
    return fail(ErrorKind::usage, fmt::format("--head {} is not a commit in {}", request.plan.head, ctx.root));
  }
  ctx.head_sha = head->hex();
  ctx.head_short = workspace.repo().short_id(*head);
  if (auto value = workspace.host().getenv("SOURCE_DATE_EPOCH")) {
    ctx.epoch = packer::epoch_from_source_date_epoch(value->c_str());
  }

  std::optional<KeyRun> run;
  if (!with_artifact.empty()) {
    auto keys = compute_keys(workspace, with_artifact);
    if (!keys) return std::unexpected(keys.error());
    run = std::move(*keys);
    ctx.keys = run->keys.get();
    ctx.fs = run->fs.get();
    ctx.tracked.reserve(run->tree.tracked.size());
    for (const auto& t : run->tree.tracked) ctx.tracked.push_back(t.path);
    auto cache = workspace.cache();
    if (!cache) return std::unexpected(cache.error());
    ctx.cache = *cache;
    if (auto made = ctx.fs->make_dirs(ctx.cache->dir() + "/logs"); !made) return std::unexpected(made.error());
  }

  const std::size_t jobs = request.jobs ? request.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::counting_semaphore<1024> commands(static_cast<std::ptrdiff_t>(std::min<std::size_t>(jobs, 1024)));
  ctx.commands = &commands;

  // The report, in config order; the services to build are filled in place.
  std::map<std::string, std::size_t> index;
  for (const graph::Service* s : *selected) {
    BuiltService b;
    b.name = s->name;
    if (auto it = skip_reason.find(s->name); it != skip_reason.end()) b.reason = it->second;
    index[s->name] = report.services.size();
    report.services.push_back(std::move(b));
  }
  for (const std::string& name : with_artifact) {
    BuiltService& b = report.services[index[name]];
    const graph::ArtifactSpec& spec = specs.at(name);
    b.kind = spec.kind == graph::ArtifactKind::zip ? "zip" : "image";
    b.key = hashing::to_hex(ctx.keys->find_service(name)->key);
    const std::string& tmpl = spec.kind == graph::ArtifactKind::zip ? spec.zip.tag : spec.image.tag;
    b.tag =
        graph::expand_tag(tmpl.empty() ? graph::kDefaultTagTemplate : tmpl, name, ctx.head_sha, ctx.head_short, b.key);
  }
  tbb::parallel_for_each(with_artifact.begin(), with_artifact.end(), [&](const std::string& name) {
    build_one(ctx, *graph.find_service(name)->config, specs.at(name), report.services[index[name]]);
  });
  std::vector<std::string> hits;
  for (const BuiltService& b : report.services) {
    if (b.status == BuildStatus::hit) hits.push_back(b.key);
  }
  if (!hits.empty()) {
    // Least-recently-used order for gc; losing it only makes gc's choice older.
    if (auto touched = ctx.cache->artifacts().touch_all(hits); !touched) {
      report.warnings.push_back("could not mark cached artifacts as used: " + touched.error().message);
    }
  }
  return report;
}

}  // namespace wharf::workspace
