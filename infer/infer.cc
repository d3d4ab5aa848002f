#include "infer/infer.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "graph/path_pattern.h"
#include "infer/compose.h"
#include "infer/dep_cycles.h"
#include "infer/dockerfile.h"
#include "infer/dockerignore.h"
#include "infer/go_work.h"
#include "infer/names.h"
#include "infer/node_workspace.h"
#include "infer/read_file.h"
#include "infer/paths.h"
#include "infer/skaffold.h"

namespace wharf::infer {
namespace {

constexpr std::array<std::string_view, 4> kComposeNames = {"docker-compose.yml", "docker-compose.yaml", "compose.yml",
                                                           "compose.yaml"};
constexpr std::array<std::string_view, 2> kSkaffoldNames = {"skaffold.yaml", "skaffold.yml"};

// Files at the root that every build reads: a change to one may change any
// service.
struct RootInput {
  std::string_view path;
  std::string_view why;
};
constexpr RootInput kRootInputs[] = {
    {"pnpm-lock.yaml", "lockfile"},        {"package-lock.json", "lockfile"}, {"npm-shrinkwrap.json", "lockfile"},
    {"yarn.lock", "lockfile"},             {"go.work.sum", "lockfile"},       {"package.json", "root package.json"},
    {"pnpm-workspace.yaml", "workspace file"}, {"go.work", "workspace file"}, {"tsconfig.base.json", "root config"},
    {"turbo.json", "root config"},         {"nx.json", "root config"},        {".npmrc", "root config"},
    {".yarnrc.yml", "root config"},
};

enum class Source { compose, skaffold, package };

struct Candidate {
  ImageBuild build;
  Source source = Source::compose;
  std::string wanted;  // the name it asks for (sanitized)
  std::string name;    // the name it got
  const NodePackage* node = nullptr;
  const GoModule* go = nullptr;
};

bool has_node_modules(std::string_view path) {
  return path.starts_with("node_modules/") || path.find("/node_modules/") != std::string_view::npos;
}

template <std::size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Drops entries that another covers (a literal directory above them, or
// "**"); `first` stays in front, the rest are sorted.
std::vector<std::string> prune_covered(std::vector<std::string> entries, const std::string& first) {
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  std::vector<std::string> out;
  for (const std::string& entry : entries) {
    const std::string root = literal_root(entry);
    bool covered = false;
    for (const std::string& other : entries) {
      if (other == entry) continue;
      if (other == "**" || (literal_root(other) == other && graph::is_at_or_below(root, other))) covered = true;
    }
    if (!covered) out.push_back(entry);
  }
  auto it = std::find(out.begin(), out.end(), first);
  if (it != out.end()) std::rotate(out.begin(), it, it + 1);
  return out;
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

class Inference {
 public:
  Inference(const fs::SourceTree& tree, std::vector<std::string> files) : tree_(tree), files_(std::move(files)) {}

  Inferred run() {
    node_ = read_node_workspace(tree_, files_, warnings_);
    go_ = read_go_work(tree_, files_, warnings_);
    for (const NodePackage& package : node_.packages) node_by_dir_.emplace(package.dir, &package);
    for (const GoModule& module : go_.modules) go_by_dir_.emplace(module.dir, &module);
    find_candidates();
    name_services();
    Inferred out;
    for (const Candidate& candidate : candidates_) out.services.push_back(service(candidate));
    add_packages(out);
    resolve_deps(out);
    add_workspace_inputs(out);
    auto by_name = [](const Component& a, const Component& b) { return a.name < b.name; };
    std::sort(out.services.begin(), out.services.end(), by_name);
    std::sort(out.packages.begin(), out.packages.end(), by_name);
    out.warnings = warnings_.take();
    return out;
  }

 private:
  bool exists(std::string_view path) const { return std::binary_search(files_.begin(), files_.end(), path); }

  // Whether a pattern matches a file of the snapshot.
  bool matches_any(const std::string& pattern) const {
    auto parsed = graph::PathPattern::parse(pattern);
    if (!parsed) return false;
    const std::string root(parsed->root());
    // The paths below `root` are among those that start with it, which are
    // contiguous in sorted order ("a/b.txt" sorts between "a/b" and "a/b/x").
    for (auto it = std::lower_bound(files_.begin(), files_.end(), root); it != files_.end(); ++it) {
      if (!it->starts_with(root)) break;
      if (parsed->matches(*it)) return true;
    }
    return false;
  }

  void find_candidates() {
    std::set<std::string> built_dockerfiles;
    for (const std::string& file : files_) {
      if (has_node_modules(file)) continue;
      const std::string_view name = base_name(file);
      std::vector<ImageBuild> builds;
      Source source = Source::compose;
      if (is_one_of(name, kComposeNames)) {
        auto text = read_file(tree_, file, warnings_);
        if (!text) continue;
        std::map<std::string, std::string> dotenv;
        const std::string env_file = child_path(parent_dir(file), ".env");
        if (exists(env_file)) {
          if (auto env_text = read_file(tree_, env_file, warnings_)) dotenv = read_dotenv(*env_text);
        }
        builds = read_compose(*text, file, dotenv, warnings_);
      } else if (is_one_of(name, kSkaffoldNames)) {
        auto text = read_file(tree_, file, warnings_);
        if (!text) continue;
        builds = read_skaffold(*text, file, warnings_);
        source = Source::skaffold;
      } else {
        continue;
      }
      for (ImageBuild& build : builds) {
        if (!build.dockerfile.empty() && !exists(build.dockerfile)) {
          warnings_.add(build.file, build.line,
                        fmt::format("{}: the Dockerfile {} is not in the repository; skipped", build.name,
                                    build.dockerfile));
          continue;
        }
        Candidate candidate;
        candidate.source = source;
        candidate.wanted = sanitize_name(source == Source::skaffold ? image_base_name(build.name) : build.name);
        candidate.build = std::move(build);
        built_dockerfiles.insert(candidate.build.dockerfile);
        candidates_.push_back(std::move(candidate));
      }
    }
    // Workspace packages that are apps: a start or build script and a Dockerfile.
    for (const NodePackage& package : node_.packages) {
      const std::string dockerfile = child_path(package.dir, "Dockerfile");
      if (!package.runnable || !exists(dockerfile) || built_dockerfiles.contains(dockerfile)) continue;
      Candidate candidate;
      candidate.source = Source::package;
      candidate.wanted = sanitize_name(without_scope(package.name));
      candidate.build.name = package.name;
      candidate.build.context = package.dir;
      candidate.build.dockerfile = dockerfile;
      candidate.build.file = child_path(package.dir, "package.json");
      candidate.build.how = "a workspace package with a start or build script, and " + dockerfile;
      candidates_.push_back(std::move(candidate));
    }
    // The same build declared twice (a compose file and its copy) is one service.
    auto key = [](const Candidate& c) { return std::tie(c.wanted, c.build.context, c.build.dockerfile); };
    std::stable_sort(candidates_.begin(), candidates_.end(), [&](const Candidate& a, const Candidate& b) {
      return std::tie(a.wanted, a.source, a.build.file, a.build.line, a.build.dockerfile) <
             std::tie(b.wanted, b.source, b.build.file, b.build.line, b.build.dockerfile);
    });
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end(),
                                  [&](const Candidate& a, const Candidate& b) { return key(a) == key(b); }),
                      candidates_.end());
    // A Dockerfile that several services build (with other contexts or
    // other build args: not the same build twice) is shared: a workspace
    // input, and not any one service's own.
    std::map<std::string, std::set<std::pair<std::string, std::map<std::string, std::string>>>> builds_of;
    for (const Candidate& candidate : candidates_) {
      if (!candidate.build.dockerfile.empty()) {
        builds_of[candidate.build.dockerfile].emplace(candidate.build.context, candidate.build.args);
      }
    }
    for (const auto& [dockerfile, builds] : builds_of) {
      if (builds.size() > 1) shared_dockerfiles_.insert(dockerfile);
    }
    for (Candidate& candidate : candidates_) {
      const std::string own = own_dir(candidate);
      const std::string& context = candidate.build.context;
      if (auto it = node_by_dir_.find(own); it != node_by_dir_.end()) {
        candidate.node = it->second;
      } else if (auto at_context = node_by_dir_.find(context); at_context != node_by_dir_.end()) {
        candidate.node = at_context->second;
      }
      if (auto it = go_by_dir_.find(own); it != go_by_dir_.end()) {
        candidate.go = it->second;
      } else if (auto at_context = go_by_dir_.find(context); at_context != go_by_dir_.end()) {
        candidate.go = at_context->second;
      }
      if (candidate.node) node_services_.insert(candidate.node);
      if (candidate.go) go_services_.insert(candidate.go);
    }
  }

  // The service's own directory ("" = none: the repository root is never
  // one): the directory of a Dockerfile named Dockerfile or Dockerfile.*;
  // else (infra/api.Dockerfile sits among other Dockerfiles), and for a
  // Dockerfile several services share, the build context.
  std::string own_dir(const Candidate& candidate) const {
    const ImageBuild& build = candidate.build;
    if (build.dockerfile.empty() || shared_dockerfiles_.contains(build.dockerfile)) return build.context;
    const std::string_view name = base_name(build.dockerfile);
    const bool marks_its_directory =
        name.size() >= 10 && (name.starts_with("Dockerfile") || name.starts_with("dockerfile")) &&
        (name.size() == 10 || name[10] == '.');
    return marks_its_directory ? std::string(parent_dir(build.dockerfile)) : build.context;
  }

  void name_services() {
    for (Candidate& candidate : candidates_) {
      if (candidate.wanted.empty()) {
        candidate.wanted = sanitize_name(base_name(own_dir(candidate)));
        if (candidate.wanted.empty()) candidate.wanted = "service";
      }
      candidate.name = names_.claim(candidate.wanted);
      if (candidate.name != candidate.wanted) {
        warnings_.add(candidate.build.file, candidate.build.line,
                      fmt::format("the service name '{}' is inferred more than once; this one ({}) is named '{}'",
                                  candidate.wanted, candidate.build.dockerfile, candidate.name));
      }
    }
  }

  const DockerfileSources& dockerfile_sources(const ImageBuild& build) {
    std::string key = build.dockerfile;
    for (const auto& [name, value] : build.args) key += fmt::format("\n{}={}", name, value);
    auto it = dockerfile_cache_.find(key);
    if (it != dockerfile_cache_.end()) return it->second;
    DockerfileSources sources;
    auto read = tree_.read(build.dockerfile);
    if (!read || !*read) {
      warnings_.add(build.dockerfile, 0,
                    fmt::format("cannot be read ({}); the whole build context is an input",
                                read ? "absent" : read.error().message));
      sources.whole_context = true;
    } else {
      sources = read_dockerfile(**read, build.dockerfile, build.args, warnings_);
    }
    return dockerfile_cache_.emplace(std::move(key), std::move(sources)).first->second;
  }

  Component service(const Candidate& candidate) {
    const ImageBuild& build = candidate.build;
    Component out;
    out.name = candidate.name;
    if (candidate.source == Source::package) {
      out.origin.push_back(fmt::format("from {} ({})", build.file, build.how));
    } else {
      out.origin.push_back(fmt::format("from {}:{} ({})", build.file, build.line, build.how));
    }
    const std::string own = own_dir(candidate);
    const bool shared = shared_dockerfiles_.contains(build.dockerfile);
    std::vector<std::string> paths;
    if (!own.empty()) paths.push_back(own);
    if (!build.dockerfile.empty() && !shared) paths.push_back(build.dockerfile);
    // BuildKit reads <Dockerfile>.dockerignore before the context's .dockerignore.
    std::string ignore_file;
    if (!build.dockerfile.empty() && exists(build.dockerfile + ".dockerignore")) {
      ignore_file = build.dockerfile + ".dockerignore";
    } else if (exists(child_path(build.context, ".dockerignore"))) {
      ignore_file = child_path(build.context, ".dockerignore");
    }
    if (!ignore_file.empty()) {
      paths.push_back(ignore_file);
      if (auto text = read_file(tree_, ignore_file, warnings_)) {
        for (std::string& pattern : dockerignore_excludes(*text, ignore_file, build.context, warnings_)) {
          // The builder always reads the Dockerfile and .dockerignore, even when they are ignored.
          auto parsed = graph::PathPattern::parse(pattern);
          if (!parsed || parsed->matches(build.dockerfile) || parsed->matches(ignore_file)) continue;
          out.exclude.push_back(std::move(pattern));
        }
      }
    }
    std::vector<const CopySource*> copied;
    const std::string whole_context = build.context.empty() ? "**" : build.context;
    if (!build.dockerfile.empty()) {
      const DockerfileSources& sources = dockerfile_sources(build);
      if (sources.whole_context) paths.push_back(whole_context);
      for (const CopySource& source : sources.sources) {
        auto path = join_relative(build.context, source.path);
        paths.push_back(!path || path->empty() ? whole_context : *path);
        copied.push_back(&source);
      }
    } else {
      paths.push_back(whole_context);  // an inline Dockerfile: its COPY sources are not read
    }
    out.paths = prune_covered(std::move(paths), own);
    // A COPY source (not covered by the service's directory) that matches no
    // file is something a build writes: not an input.
    std::vector<std::string> kept;
    for (const std::string& path : out.paths) {
      const bool from_copy = std::any_of(copied.begin(), copied.end(), [&](const CopySource* source) {
        auto joined = join_relative(build.context, source->path);
        return joined && *joined == path;
      });
      if (from_copy && path != own && path != "**" && !matches_any(path)) {
        const auto* source = *std::find_if(copied.begin(), copied.end(), [&](const CopySource* s) {
          auto joined = join_relative(build.context, s->path);
          return joined && *joined == path;
        });
        warnings_.add(build.dockerfile, source->line,
                      fmt::format("COPY source {} matches no file in the repository (a build output?); left out of "
                                  "{}'s paths",
                                  path, candidate.name));
        continue;
      }
      kept.push_back(path);
    }
    out.paths = std::move(kept);
    std::sort(out.exclude.begin(), out.exclude.end());
    out.exclude.erase(std::unique(out.exclude.begin(), out.exclude.end()), out.exclude.end());
    if (candidate.node && candidate.source != Source::package) {
      out.origin.push_back(fmt::format("deps from {}", child_path(candidate.node->dir, "package.json")));
    }
    if (candidate.go) out.origin.push_back(fmt::format("deps from {}", child_path(candidate.go->dir, "go.mod")));
    return out;
  }

  void add_packages(Inferred& out) {
    struct Pending {
      std::string wanted;
      std::string dir;
      const NodePackage* node = nullptr;
      const GoModule* go = nullptr;
    };
    std::vector<Pending> pending;
    for (const NodePackage& package : node_.packages) {
      if (node_services_.contains(&package)) continue;
      pending.push_back(Pending{sanitize_name(without_scope(package.name)), package.dir, &package, nullptr});
    }
    for (const GoModule& module : go_.modules) {
      if (go_services_.contains(&module)) continue;
      if (module.dir.empty()) {
        warnings_.add("go.work", module.use_line, "use . is the whole repository, not a package; skipped");
        continue;
      }
      pending.push_back(Pending{sanitize_name(base_name(module.dir)), module.dir, nullptr, &module});
    }
    std::sort(pending.begin(), pending.end(),
              [](const Pending& a, const Pending& b) { return std::tie(a.wanted, a.dir) < std::tie(b.wanted, b.dir); });
    for (Pending& one : pending) {
      if (one.wanted.empty()) one.wanted = "package";
      Component component;
      component.name = names_.claim(one.wanted);
      const std::string manifest = child_path(one.dir, one.node ? "package.json" : "go.mod");
      if (component.name != one.wanted) {
        warnings_.add(manifest, 0,
                      fmt::format("the name '{}' is taken; this package is named '{}'", one.wanted, component.name));
      }
      if (one.node) {
        component.origin.push_back(fmt::format("from {}: {}", one.node->matched_by, manifest));
        node_names_[one.node] = component.name;
      } else {
        component.origin.push_back(fmt::format("from go.work:{} (use {})", one.go->use_line, one.dir));
        go_names_[one.go] = component.name;
      }
      manifest_of_[component.name] = manifest;
      component.paths.push_back(one.dir);
      out.packages.push_back(std::move(component));
    }
  }

  void resolve_deps(Inferred& out) {
    std::map<std::string, const NodePackage*> by_npm_name;
    for (const NodePackage& package : node_.packages) {
      auto [it, added] = by_npm_name.emplace(package.name, &package);
      if (!added) {
        warnings_.add(child_path(package.dir, "package.json"), 0,
                      fmt::format("the package name {} is also {}'s; deps on it resolve to {}", package.name,
                                  it->second->dir, it->second->dir));
      }
    }
    std::map<const NodePackage*, std::string> service_of_node;
    std::map<const GoModule*, std::string> service_of_go;
    for (const Candidate& candidate : candidates_) {
      if (candidate.node) service_of_node.emplace(candidate.node, candidate.name);
      if (candidate.go) service_of_go.emplace(candidate.go, candidate.name);
    }
    auto deps_of = [&](const NodePackage* node, const GoModule* go, const std::string& self) {
      std::set<std::string> deps;
      if (node) {
        for (const auto& [dep, spec] : node->deps) {
          auto it = by_npm_name.find(dep);
          if (it == by_npm_name.end() || it->second == node || !spec_resolves_locally(spec, it->second->version)) {
            continue;
          }
          if (auto service = service_of_node.find(it->second); service != service_of_node.end()) {
            warnings_.add(child_path(node->dir, "package.json"), 0,
                          fmt::format("{} depends on {}, which is the service {}: deps name packages only, so it is "
                                      "left out of {}'s deps",
                                      node->name, dep, service->second, self));
            continue;
          }
          if (auto name = node_names_.find(it->second); name != node_names_.end()) deps.insert(name->second);
        }
      }
      if (go) {
        for (const std::string& dir : go->dep_dirs) {
          auto module = go_by_dir_.find(dir);
          if (module == go_by_dir_.end()) continue;
          if (auto service = service_of_go.find(module->second); service != service_of_go.end()) {
            warnings_.add(child_path(go->dir, "go.mod"), 0,
                          fmt::format("{} depends on {}, which is the service {}: left out of {}'s deps",
                                      display_dir(go->dir), display_dir(dir), service->second, self));
            continue;
          }
          if (auto name = go_names_.find(module->second); name != go_names_.end()) deps.insert(name->second);
        }
      }
      return std::vector<std::string>(deps.begin(), deps.end());
    };
    std::map<std::string, std::vector<std::string>> package_deps;
    std::map<std::string, const NodePackage*> node_of_name;
    std::map<std::string, const GoModule*> go_of_name;
    for (const auto& [node, name] : node_names_) node_of_name[name] = node;
    for (const auto& [go, name] : go_names_) go_of_name[name] = go;
    for (Component& package : out.packages) {
      auto node = node_of_name.find(package.name);
      auto go = go_of_name.find(package.name);
      package_deps[package.name] = deps_of(node == node_of_name.end() ? nullptr : node->second,
                                           go == go_of_name.end() ? nullptr : go->second, package.name);
    }
    for (const std::string& cycle : break_cycles(package_deps)) {
      // "a -> b -> c -> a": the dropped edge is the last one, "c -> a".
      const std::size_t last_arrow = cycle.rfind(" -> ");
      const std::size_t previous = cycle.rfind(" -> ", last_arrow - 1);
      const std::string edge = cycle.substr(previous == std::string::npos ? 0 : previous + 4);
      const std::string from = edge.substr(0, edge.find(' '));
      warnings_.add(manifest_of_[from], 0,
                    fmt::format("dependency cycle {}; wharf.toml cannot hold one, so the dep {} is left out", cycle,
                                edge));
    }
    for (Component& package : out.packages) package.deps = package_deps[package.name];
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
      out.services[i].deps = deps_of(candidates_[i].node, candidates_[i].go, candidates_[i].name);
    }
  }

  void add_workspace_inputs(Inferred& out) {
    for (const RootInput& input : kRootInputs) {
      if (exists(input.path)) out.inputs.push_back(WorkspaceInput{std::string(input.path), std::string(input.why)});
    }
    for (const std::string& dockerfile : shared_dockerfiles_) {
      std::vector<std::string> users;
      for (const Candidate& candidate : candidates_) {
        if (candidate.build.dockerfile == dockerfile) users.push_back(candidate.name);
      }
      std::sort(users.begin(), users.end());
      out.inputs.push_back(WorkspaceInput{dockerfile, "Dockerfile of " + list_names(users)});
    }
    std::sort(out.inputs.begin(), out.inputs.end(),
              [](const WorkspaceInput& a, const WorkspaceInput& b) { return a.path < b.path; });
  }

  const fs::SourceTree& tree_;
  std::vector<std::string> files_;
  Warnings warnings_;
  NodeWorkspace node_;
  GoWorkspace go_;
  std::map<std::string, const NodePackage*> node_by_dir_;
  std::map<std::string, const GoModule*> go_by_dir_;
  std::vector<Candidate> candidates_;
  std::set<std::string> shared_dockerfiles_;
  std::set<const NodePackage*> node_services_;
  std::set<const GoModule*> go_services_;
  std::map<const NodePackage*, std::string> node_names_;
  std::map<const GoModule*, std::string> go_names_;
  std::map<std::string, std::string> manifest_of_;
  std::map<std::string, DockerfileSources> dockerfile_cache_;
  NameTable names_;
};

}  // namespace

Result<Inferred> infer_config(const fs::SourceTree& tree) {
  auto files = tree.files();
  if (!files) return std::unexpected(files.error());
  Inference inference(tree, std::move(*files));
  return inference.run();
}

}  // namespace wharf::infer
