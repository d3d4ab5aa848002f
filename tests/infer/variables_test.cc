#include "infer/variables.h"

#include <gtest/gtest.h>

#include <map>

namespace wharf::infer {
namespace {

Substituted run(std::string_view text, SubstitutionSyntax syntax = {}) {
  const std::map<std::string, std::string, std::less<>> values = {{"A", "a"}, {"EMPTY", ""}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  return substitute(text, lookup, syntax);
}

TEST(InferVariablesTest, ModifiersAsShellsAndComposeHaveThem) {
  EXPECT_EQ(run("$A/${A}").text, "a/a");
  EXPECT_EQ(run("${EMPTY:-d}|${EMPTY-d}").text, "d|");
  EXPECT_EQ(run("${NONE:-${A}x}").text, "ax");  // a default holding a substitution
  EXPECT_EQ(run("${A:+alt}|${NONE:+alt}").text, "alt|");
  Substituted missing = run("x/$NONE/${NONE2?required}/$NONE");
  EXPECT_EQ(missing.text, "x///");
  EXPECT_EQ(missing.missing, (std::vector<std::string>{"NONE", "NONE2"}));
  EXPECT_EQ(run("$$A", SubstitutionSyntax{.dollar_dollar = true}).text, "$A");
  EXPECT_EQ(run("\\$A", SubstitutionSyntax{.escape = '\\'}).text, "$A");
  EXPECT_EQ(run("${unterminated").text, "${unterminated");
}

}  // namespace
}  // namespace wharf::infer
