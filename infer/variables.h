// Variable substitution as Dockerfiles and compose files do it: `$VAR`,
// `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alternative}`,
// `${VAR+alternative}`, `${VAR:?message}`, `${VAR?message}` (words may hold
// substitutions themselves). The two differ only in how a literal `$` is
// written: Dockerfiles escape it with their escape character (`\$`), compose
// doubles it (`$$`).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::infer {

// A variable's value; nullopt when it has none (unset, or an ARG declared
// without a default: its value is only known at build time).
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct SubstitutionSyntax {
  char escape = 0;             // Dockerfile: escape + '$' is a literal '$' (0: none)
  bool dollar_dollar = false;  // compose: "$$" is a literal '$'
};

struct Substituted {
  std::string text;
  // Variables that were needed and had no value (each once, in order): the
  // text holds "" in their place.
  std::vector<std::string> missing;
};

Substituted substitute(std::string_view text, const VariableLookup& lookup, SubstitutionSyntax syntax);

}  // namespace wharf::infer
