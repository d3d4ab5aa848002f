#include "plan/plan_output.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace wharf::plan {
namespace {

Plan plan_with_path(const std::string& path) {
  Plan plan;
  plan.head = std::string(40, 'a');
  ServicePlan service;
  service.name = "api";
  service.action = Action::deploy;
  service.base = std::string(40, 'b');
  service.base_rev = "v1";
  service.reasons.push_back(Reason{ReasonKind::package, path, "common", false, ""});
  plan.services.push_back(service);
  plan.orphans.push_back("old \"svc\"");
  return plan;
}

// Paths are printed as they are when plain, and escaped by nlohmann when not:
// either way the document parses back to the same strings.
TEST(PlanOutputTest, JsonStringsRoundTripPlainAndEscaped) {
  for (std::string path :
       {std::string("services/api/main.go"), std::string("a \"quoted\" name.txt"), std::string("back\\slash"),
        std::string("tab\there"), std::string("caf\xc3\xa9/menu.txt"), std::string("ctl\x01x")}) {
    std::string text = plan_to_json(plan_with_path(path));
    auto doc = nlohmann::json::parse(text);
    EXPECT_EQ(doc["services"][0]["reasons"][0]["path"], path) << text;
    EXPECT_EQ(doc["services"][0]["reasons"][0]["via"], "common");
    EXPECT_EQ(doc["orphans"][0], "old \"svc\"");
    EXPECT_EQ(doc["head"], std::string(40, 'a'));
  }
}

TEST(PlanOutputTest, PlainStringsAreNotEscaped) {
  std::string text = plan_to_json(plan_with_path("services/api/main.go"));
  EXPECT_NE(text.find("\"path\": \"services/api/main.go\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"old \\\"svc\\\"\""), std::string::npos) << text;
}

}  // namespace
}  // namespace wharf::plan
