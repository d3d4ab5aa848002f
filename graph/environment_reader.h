// The reader of [environment.*] tables over a parsed TOML document, shared by
// parse_config (which checks them) and load_environments. Includes toml++:
// only .cc files that parse TOML include this (graph/, and infer/toml_text.cc
// for parse_toml, to find the tables a user wrote outside wharf init's block).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "graph/environment_config.h"

namespace wharf::graph {

struct LocatedProblem {
  int line = 0;
  int column = 0;
  std::string text;  // "file:line:col: message"
};

// Parses TOML text; a syntax error is ErrorKind::config "file:line:col: ...".
Result<toml::table> parse_toml(std::string_view text, std::string_view file);

// Reads the value of the top-level key "environment" into `out`; problems are
// appended to `problems`.
void read_environments(const toml::node& node, const std::shared_ptr<const std::string>& file,
                       const std::vector<std::string>& services, std::vector<EnvironmentConfig>& out,
                       std::vector<LocatedProblem>& problems);

// Reads a push table ([environment.E.push] or [environment.E.service.S.push],
// named by `what`) over `target`: the keys it holds replace those there.
void read_push_table(const toml::node& node, PushTarget& target, const std::string& what,
                     const std::shared_ptr<const std::string>& file, std::vector<LocatedProblem>& problems);

// The key a push target of its kind lacks ("to" when it has no kind), or "".
std::string missing_push_key(const PushTarget& target);

}  // namespace wharf::graph
