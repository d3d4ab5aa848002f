// The service graph: for each service, the patterns that make up its input
// set and how each reaches it (own path, package, workspace input).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/config.h"
#include "util/error.h"

namespace wharf::graph {

enum class InputKind : std::uint8_t { path, package, workspace };

const char* to_string(InputKind kind);

// One pattern in a service's input set and the route by which it gets there.
struct Input {
  const PatternEntry* entry = nullptr;       // owned by the Graph's Config
  const ComponentConfig* package = nullptr;  // for InputKind::package: the package
  InputKind kind = InputKind::path;
  // Whether an exclude of the service itself could match a path of this
  // input (their roots overlap). When not, the input accepts exactly the same
  // paths in every service that has it, which lets a plan answer a shared
  // package once per base.
  bool service_excludes_apply = true;
  // For package paths and workspace inputs: a number shared by every service
  // that has this input, below Graph::shared_slots(), so that a plan can keep
  // per-input answers in an array. kNoSlot for a service's own paths.
  std::uint32_t shared_slot = kNoSlot;
  static constexpr std::uint32_t kNoSlot = 0xffffffff;

  const PathPattern& pattern() const { return entry->pattern; }
  // The package name for InputKind::package, else "".
  std::string_view via() const { return package ? std::string_view(package->name) : std::string_view(); }
  // Excludes that apply to this input only (a package's own `exclude`), or null.
  const std::vector<PatternEntry>* own_excludes() const { return package ? &package->exclude : nullptr; }
};

struct Service {
  std::string name;
  const ComponentConfig* config = nullptr;
  // Transitive package closure, nearest first (breadth-first over `deps` in
  // the order written), each once.
  std::vector<std::string_view> packages;  // names; point into the Config
  // Own paths, then each package's paths in `packages` order, then the
  // workspace inputs: the inputs of one route (own, one package, workspace)
  // are contiguous, which the plan relies on.
  std::vector<Input> inputs;
  // The service's own `exclude` plus the workspace `exclude`: never inputs.
  std::vector<const PatternEntry*> excludes;
};

// Immutable once built; safe to read from many threads.
class Graph {
 public:
  // Checks cross-references: unknown deps (with the nearest name), a service
  // named in deps, a name used twice, dependency cycles (printed). Errors are
  // ErrorKind::config with file:line:col.
  static Result<Graph> build(Config config);

  // The graph of a config that build() accepted before, with each service's
  // package closure (indices into config.packages, nearest first) as build()
  // found it: no checks and no search. For a snapshot (config_snapshot.h).
  static Graph assemble(Config config, const std::vector<std::vector<std::uint32_t>>& closures);

  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  const Config& config() const { return *config_; }
  const std::vector<Service>& services() const { return services_; }
  // How many Input::shared_slot numbers there are.
  std::uint32_t shared_slots() const { return shared_slots_; }
  const Service* find_service(std::string_view name) const;
  const ComponentConfig* find_package(std::string_view name) const;

  // The first input of `service` that covers `path`, or nullptr when `path`
  // is not in its input set (not covered, or excluded).
  static const Input* covering_input(const Service& service, std::string_view path);

  // True when an exclude of `service` (its own or the workspace's) matches.
  static bool is_excluded(const Service& service, std::string_view path);

  // True when `path` reaches `service` through `input` (it matches the
  // input's pattern and no exclude of the service, the workspace or the
  // input's package).
  static bool accepts(const Service& service, const Input& input, std::string_view path);

 private:
  Graph() = default;
  static bool excluded_by_package(const Input& input, std::string_view path);
  // Builds services_ from config_ and each service's package closure.
  void add_services(const std::vector<std::vector<std::uint32_t>>& closures);
  std::unique_ptr<Config> config_;  // stable address: Inputs point into it
  std::vector<Service> services_;
  std::uint32_t shared_slots_ = 0;
};

}  // namespace wharf::graph
