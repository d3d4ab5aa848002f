#include "graph/graph.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>

#include "util/text.h"

namespace wharf::graph {

const char* to_string(InputKind kind) {
  switch (kind) {
    case InputKind::path:
      return "path";
    case InputKind::package:
      return "package";
    case InputKind::workspace:
      return "workspace";
  }
  return "?";
}

namespace {

struct Problems {
  std::vector<std::pair<SourceLocation, std::string>> list;
  void add(const SourceLocation& where, std::string message) { list.emplace_back(where, std::move(message)); }
  Error error() const {
    auto sorted = list;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return std::pair{a.first.line, a.first.column} < std::pair{b.first.line, b.first.column};
    });
    std::vector<std::string> lines;
    for (const auto& [where, message] : sorted) lines.push_back(fmt::format("{}: {}", where.str(), message));
    return Error{ErrorKind::config, join(lines, "\n")};
  }
};

// Depth-first search for a cycle among package deps (as indices; SIZE_MAX
// for a dep that names no package). Returns the cycle as package indices
// (first == last) or empty.
std::vector<std::size_t> find_cycle(const std::vector<std::vector<std::size_t>>& deps,
                                    const std::vector<std::string>& names) {
  enum class Mark : char { none, active, done };
  std::vector<Mark> marks(deps.size(), Mark::none);
  std::vector<std::size_t> stack;
  std::vector<std::size_t> cycle;

  // Iterative, with the next dep to look at kept per frame: a chain of
  // 100,000 packages is a valid config, and recursion that deep overflowed
  // the stack (seen under AddressSanitizer, whose frames are larger).
  std::vector<std::size_t> next_dep;  // per entry of `stack`
  auto visit = [&](std::size_t start) -> bool {
    marks[start] = Mark::active;
    stack.push_back(start);
    next_dep.push_back(0);
    while (!stack.empty()) {
      const std::size_t p = stack.back();
      std::size_t& i = next_dep.back();
      if (i == deps[p].size()) {
        stack.pop_back();
        next_dep.pop_back();
        marks[p] = Mark::done;
        continue;
      }
      const std::size_t dep = deps[p][i++];
      if (dep == SIZE_MAX || marks[dep] == Mark::done) continue;
      if (marks[dep] == Mark::active) {
        auto from = std::find(stack.begin(), stack.end(), dep);
        cycle.assign(from, stack.end());
        cycle.push_back(dep);
        return true;
      }
      marks[dep] = Mark::active;
      stack.push_back(dep);
      next_dep.push_back(0);
    }
    return false;
  };
  // Start from names in sorted order so the cycle printed does not depend on
  // the order of tables in the file.
  std::vector<std::size_t> order(deps.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
  for (std::size_t p : order) {
    if (marks[p] == Mark::none && visit(p)) return cycle;
  }
  return {};
}

}  // namespace

Result<Graph> Graph::build(Config config) {
  Graph graph;
  graph.config_ = std::make_unique<Config>(std::move(config));
  const Config& cfg = *graph.config_;
  Problems problems;

  // Packages by index, deps as indices: the closure of 500 services over 200
  // packages is then integer work, not string-keyed set and map lookups.
  std::unordered_map<std::string_view, std::size_t> package_index;
  std::unordered_map<std::string_view, const ComponentConfig*> services;
  std::vector<std::string> package_names;
  package_index.reserve(cfg.packages.size());
  services.reserve(cfg.services.size());
  for (std::size_t i = 0; i < cfg.packages.size(); ++i) {
    package_index.emplace(cfg.packages[i].name, i);
    package_names.push_back(cfg.packages[i].name);
  }
  for (const auto& service : cfg.services) {
    if (auto it = package_index.find(service.name); it != package_index.end()) {
      problems.add(service.where, fmt::format("the name '{}' is used twice: by this service and by the package "
                                              "at {}; rename one of them",
                                              service.name, cfg.packages[it->second].where.str()));
    }
    services.emplace(service.name, &service);
  }

  if (const TextEntry& lockfile = cfg.workspace.lockfile;
      !lockfile.value.empty() && lockfile.value != "auto" && lockfile.value != "whole") {
    problems.add(lockfile.where, fmt::format("lockfile = \"{}\": give \"auto\" (a lockfile change deploys the "
                                             "services whose resolved dependencies changed) or \"whole\" (every "
                                             "service)",
                                             lockfile.value));
  }

  auto check_deps = [&](const ComponentConfig& component) {
    for (std::size_t d = 0; d < component.deps.size(); ++d) {
      const NameEntry& dep = component.deps[d];
      bool repeated = std::any_of(component.deps.begin(), component.deps.begin() + static_cast<std::ptrdiff_t>(d),
                                  [&](const NameEntry& earlier) { return earlier.name == dep.name; });
      if (repeated) {
        problems.add(dep.where,
                     fmt::format("'{}' is listed twice in deps of '{}'; remove one", dep.name, component.name));
      } else if (dep.name == component.name) {
        problems.add(dep.where, fmt::format("'{}' depends on itself; remove it from its deps", dep.name));
      } else if (package_index.contains(dep.name)) {
        continue;
      } else if (services.contains(dep.name)) {
        problems.add(dep.where,
                     fmt::format("'{}' is a service, not a package; deps name [package.*] tables", dep.name));
      } else {
        std::string hint = nearest(dep.name, package_names);
        problems.add(dep.where, fmt::format("unknown dep '{}' of '{}'{}", dep.name, component.name,
                                            hint.empty() ? "; declare it as [package." + dep.name + "]"
                                                         : "; did you mean '" + hint + "'?"));
      }
    }
  };
  for (const auto& package : cfg.packages) check_deps(package);
  for (const auto& service : cfg.services) check_deps(service);

  std::vector<std::vector<std::size_t>> package_deps(cfg.packages.size());
  for (std::size_t i = 0; i < cfg.packages.size(); ++i) {
    package_deps[i].reserve(cfg.packages[i].deps.size());
    for (const auto& dep : cfg.packages[i].deps) {
      auto it = package_index.find(dep.name);
      package_deps[i].push_back(it == package_index.end() ? SIZE_MAX : it->second);
    }
  }
  if (auto cycle = find_cycle(package_deps, package_names); !cycle.empty()) {
    const ComponentConfig& first = cfg.packages[cycle.front()];
    SourceLocation where = first.where;
    for (const auto& dep : first.deps) {
      if (dep.name == cfg.packages[cycle[1]].name) where = dep.where;
    }
    std::vector<std::string> names;
    for (std::size_t p : cycle) names.push_back(cfg.packages[p].name);
    problems.add(where,
                 fmt::format("dependency cycle: {}; break it by removing one of these deps", join(names, " -> ")));
  }
  if (!problems.list.empty()) return std::unexpected(problems.error());

  std::vector<std::vector<std::uint32_t>> closures(cfg.services.size());
  std::vector<std::size_t> seen_by(cfg.packages.size(), SIZE_MAX);  // service index that queued it
  for (std::size_t s = 0; s < cfg.services.size(); ++s) {
    // Breadth-first: nearest packages first, each once.
    std::vector<std::uint32_t>& queue = closures[s];
    auto enqueue = [&](std::size_t p) {
      if (seen_by[p] != s) {
        seen_by[p] = s;
        queue.push_back(static_cast<std::uint32_t>(p));
      }
    };
    for (const auto& dep : cfg.services[s].deps) enqueue(package_index.at(dep.name));
    for (std::size_t head = 0; head < queue.size(); ++head) {
      for (std::size_t dep : package_deps[queue[head]]) enqueue(dep);
    }
  }
  graph.add_services(closures);
  return graph;
}

Graph Graph::assemble(Config config, const std::vector<std::vector<std::uint32_t>>& closures) {
  Graph graph;
  graph.config_ = std::make_unique<Config>(std::move(config));
  graph.add_services(closures);
  return graph;
}

namespace {

// Whether one of two directories is at or below the other ("" is the whole
// repository). Runs for every input of every service and exclude, ~11,000
// times for the benchmark's config: the first byte settles most pairs.
bool roots_overlap(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) return false;
  return a.size() <= b.size() ? is_at_or_below(b, a) : is_at_or_below(a, b);
}

}  // namespace

void Graph::add_services(const std::vector<std::vector<std::uint32_t>>& closures) {
  const Config& cfg = *config_;
  // Shared slots: each package's paths in config order, then the workspace inputs.
  std::vector<std::uint32_t> first_slot(cfg.packages.size());
  for (std::size_t p = 0; p < cfg.packages.size(); ++p) {
    first_slot[p] = shared_slots_;
    shared_slots_ += static_cast<std::uint32_t>(cfg.packages[p].paths.size());
  }
  const std::uint32_t workspace_slot = shared_slots_;
  shared_slots_ += static_cast<std::uint32_t>(cfg.workspace.inputs.size());
  services_.reserve(cfg.services.size());
  for (std::size_t s = 0; s < cfg.services.size(); ++s) {
    const ComponentConfig& component = cfg.services[s];
    const std::vector<std::uint32_t>& closure = closures[s];
    Service service;
    service.name = component.name;
    service.config = &component;
    service.packages.reserve(closure.size());
    std::size_t inputs = component.paths.size() + cfg.workspace.inputs.size();
    for (std::uint32_t p : closure) inputs += cfg.packages[p].paths.size();
    service.inputs.reserve(inputs);
    service.excludes.reserve(component.exclude.size() + cfg.workspace.exclude.size());
    for (const auto& entry : component.paths) {
      service.inputs.push_back(Input{&entry, nullptr, InputKind::path, true, Input::kNoSlot});
    }
    for (std::uint32_t p : closure) {
      const ComponentConfig& package = cfg.packages[p];
      service.packages.push_back(package.name);
      std::uint32_t slot = first_slot[p];
      for (const auto& entry : package.paths) {
        service.inputs.push_back(Input{&entry, &package, InputKind::package, true, slot++});
      }
    }
    std::uint32_t slot = workspace_slot;
    for (const auto& entry : cfg.workspace.inputs) {
      service.inputs.push_back(Input{&entry, nullptr, InputKind::workspace, true, slot++});
    }
    for (Input& input : service.inputs) {
      std::string_view root = input.pattern().root();
      input.service_excludes_apply =
          std::any_of(component.exclude.begin(), component.exclude.end(),
                      [&](const PatternEntry& exclude) { return roots_overlap(root, exclude.pattern.root()); });
    }
    for (const auto& entry : component.exclude) service.excludes.push_back(&entry);
    for (const auto& entry : cfg.workspace.exclude) service.excludes.push_back(&entry);
    services_.push_back(std::move(service));
  }
}

const Service* Graph::find_service(std::string_view name) const {
  for (const auto& service : services_) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

const ComponentConfig* Graph::find_package(std::string_view name) const {
  for (const auto& package : config_->packages) {
    if (package.name == name) return &package;
  }
  return nullptr;
}

bool Graph::is_excluded(const Service& service, std::string_view path) {
  for (const PatternEntry* exclude : service.excludes) {
    if (exclude->pattern.matches(path)) return true;
  }
  return false;
}

bool Graph::excluded_by_package(const Input& input, std::string_view path) {
  const std::vector<PatternEntry>* excludes = input.own_excludes();
  if (!excludes) return false;
  return std::any_of(excludes->begin(), excludes->end(),
                     [&](const PatternEntry& exclude) { return exclude.pattern.matches(path); });
}

bool Graph::accepts(const Service& service, const Input& input, std::string_view path) {
  return input.pattern().matches(path) && !is_excluded(service, path) && !excluded_by_package(input, path);
}

const Input* Graph::covering_input(const Service& service, std::string_view path) {
  if (is_excluded(service, path)) return nullptr;
  for (const Input& input : service.inputs) {
    if (input.pattern().matches(path) && !excluded_by_package(input, path)) return &input;
  }
  return nullptr;
}

}  // namespace wharf::graph
