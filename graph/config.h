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

// A name in a list: a dep (a package), an environment variable.
struct NameEntry {
  std::string name;
  SourceLocation where;
};

// A single string value; `where` is unset (line 0) when the key is absent.
struct TextEntry {
  std::string value;
  SourceLocation where;
};

// One value of a nested table (a service's `zip` or `image`), flattened: the
// table is kept as its leaves so the reader, the snapshot, the input key and
// `wharf explain` handle any nesting with one field type. `pointer` is the
// leaf's JSON pointer inside the table ("/entrypoint", "/layers/0/files/1/from";
// RFC 6901: '~' is "~0", '/' is "~1"); `json` its value as compact JSON (a
// string, number, boolean, an array of those, or "{}"/"[]" for an empty one).
// graph/artifact_spec.h turns the leaves of a table into its typed form.
struct SettingEntry {
  std::string pointer;
  std::string json;
  SourceLocation where;
};

enum class ComponentKind { package, service };

// A [package.NAME] or [service.NAME] table. Its fields are declared once, in
// graph/config_fields.h; add a field there as well as here.
struct ComponentConfig {
  ComponentKind kind = ComponentKind::service;
  std::string name;
  SourceLocation where;
  std::vector<PatternEntry> paths;
  std::vector<PatternEntry> exclude;
  std::vector<NameEntry> deps;
  std::vector<NameEntry> env;         // services: environment variables that are inputs
  TextEntry build;                    // services: the build command, an input too
  TextEntry workdir;                  // services: where `build` runs (default: the repository root)
  std::vector<PatternEntry> outputs;  // services: what `build` writes (the names are keyed, not the contents)
  std::vector<SettingEntry> zip;      // services: a zip artifact (graph/artifact_spec.h)
  std::vector<SettingEntry> image;    // services: an OCI image artifact (graph/artifact_spec.h)
};

// [workspace]; its fields are declared in graph/config_fields.h too.
struct WorkspaceConfig {
  std::vector<PatternEntry> inputs;   // a change to any of these reaches every service
  std::vector<PatternEntry> exclude;  // never an input of anything
  // How a changed lockfile among the inputs reaches services: "auto" (or
  // unset): only those whose resolved dependencies changed (plan/lockfiles.h);
  // "whole": every service, like any other input.
  TextEntry lockfile;
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
//
// Names of services and packages: a letter or digit, then letters, digits,
// '.', '_' or '-', at most 100 characters (they become image names, file
// names and terraform keys). Environment variable names: a letter or '_',
// then letters, digits or '_'. No string may hold a NUL or another control
// character, except tabs and newlines in a build command.
Result<Config> parse_config(std::string_view text, std::string_view file);

}  // namespace wharf::graph
