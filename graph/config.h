// wharf.toml: the services, shared packages and workspace build inputs of a
// monorepo. See README.md for the schema.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/path_pattern.h"
#include "util/error.h"

namespace wharf::graph {

// Where something was written: "file:line:col" in messages. The file name
// is shared: a config has thousands of locations and one file.
struct SourceLocation {
  std::shared_ptr<const std::string> file;
  int line = 0;
  int column = 0;
  std::string str() const;
};

struct PatternEntry {
  PathPattern pattern;
  SourceLocation where;
};

struct DepEntry {
  std::string name;
  SourceLocation where;
};

enum class ComponentKind { package, service };

// A [package.NAME] or [service.NAME] table.
struct ComponentConfig {
  ComponentKind kind = ComponentKind::service;
  std::string name;
  SourceLocation where;
  std::vector<PatternEntry> paths;
  std::vector<PatternEntry> exclude;
  std::vector<DepEntry> deps;
  std::vector<std::string> env;  // services: environment variables that are inputs
  std::string build;             // services: the build command, an input too
};

struct WorkspaceConfig {
  std::vector<PatternEntry> inputs;   // a change to any of these reaches every service
  std::vector<PatternEntry> exclude;  // never an input of anything
};

struct Config {
  std::string file;  // as given, for messages
  WorkspaceConfig workspace;
  std::vector<ComponentConfig> packages;  // in file order
  std::vector<ComponentConfig> services;  // in file order
};

// Parses wharf.toml text. `file` names it in messages. Every problem found is
// reported, one per line, as "file:line:col: message" (ErrorKind::config).
// Cross-references (unknown deps, cycles) are checked by Graph::build.
Result<Config> parse_config(std::string_view text, std::string_view file);

}  // namespace wharf::graph
