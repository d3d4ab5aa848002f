#include "infer/dep_cycles.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

TEST(InferDepCyclesTest, TheEdgeClosingEachCycleIsDroppedInSortedOrder) {
  std::map<std::string, std::vector<std::string>> deps = {
      {"b", {"c"}}, {"c", {"a", "b"}}, {"a", {"b"}}, {"d", {"d", "external"}}};
  auto broken = break_cycles(deps);
  EXPECT_EQ(broken, (std::vector<std::string>{"a -> b -> c -> a", "b -> c -> b", "d -> d"}));
  EXPECT_EQ(deps["a"], (std::vector<std::string>{"b"}));
  EXPECT_EQ(deps["b"], (std::vector<std::string>{"c"}));
  EXPECT_TRUE(deps["c"].empty());
  EXPECT_EQ(deps["d"], (std::vector<std::string>{"external"}));  // names outside the map are kept
}

}  // namespace
}  // namespace wharf::infer
