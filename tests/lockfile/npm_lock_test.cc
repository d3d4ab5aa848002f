#include <gtest/gtest.h>

#include "tests/lockfile/lockfile_test_util.h"
#include "tests/lockfile/samples.h"

namespace wharf::lockfile {
namespace {

using namespace testing::samples;

using testing::closure_of;
using testing::parse_error;
using testing::parse_ok;
using testing::replace;
using Names = std::vector<std::string>;


TEST(NpmLockTest, WorkspacesNestedNodeModulesAndLinks) {
  Lockfile lock = parse_ok("package-lock.json", kNpm3);
  EXPECT_EQ(lock.format, Format::npm);
  EXPECT_EQ(importers(lock), (Names{".", "apps/admin", "apps/cart", "packages/ui"}));
  // cart: react 18 at the root; through the link, ui's own react 17; the
  // nested js-tokens 3 wins over the root's 4 for loose-envify. fsevents is
  // optional and not installed here.
  EXPECT_EQ(closure_of(lock, {"apps/cart"}), (Names{"js-tokens@3.0.2", "loose-envify@1.4.0", "object-assign@4.1.1",
                                                    "react@17.0.2", "react@18.2.0"}));
  EXPECT_EQ(closure_of(lock, {"apps/admin"}), (Names{"js-tokens@4.0.0", "left-pad@1.3.0"}));
  EXPECT_EQ(closure_of(lock, {"."}), (Names{"typescript@5.4.5"}));
}

TEST(NpmLockTest, ANestedBumpTouchesOnlyItsImporter) {
  Lockfile before = parse_ok("package-lock.json", kNpm3);
  Lockfile after = parse_ok(
      "package-lock.json", replace(replace(std::string(kNpm3), "\"version\": \"4.1.1\"", "\"version\": \"4.1.2\""),
                                   "sha512-objectAssign411", "sha512-objectAssign412"));
  std::vector<std::string> cart{"apps/cart"}, ui{"packages/ui"}, admin{"apps/admin"};
  EXPECT_NE(closure(before, cart).digest, closure(after, cart).digest);
  EXPECT_NE(closure(before, ui).digest, closure(after, ui).digest);
  EXPECT_EQ(closure(before, admin).digest, closure(after, admin).digest);
  EXPECT_EQ(describe_changes(before, closure(before, cart), after, closure(after, cart)),
            "object-assign 4.1.1 -> 4.1.2");
}

TEST(NpmLockTest, RootOverridesAreSettings) {
  Lockfile before = parse_ok("package-lock.json", kNpm3);
  Lockfile after = parse_ok("npm-shrinkwrap.json", replace(std::string(kNpm3), "^7.5.4", "^7.6.0"));
  EXPECT_FALSE(same_settings(before, after));
  EXPECT_EQ(before.packages, after.packages);
  Lockfile v2 = parse_ok("package-lock.json", replace(std::string(kNpm3), "\"lockfileVersion\": 3", "\"lockfileVersion\": 2"));
  EXPECT_FALSE(same_settings(before, v2));
}

TEST(NpmLockTest, CorruptLockfilesAreErrors) {
  std::string message = parse_error("web/package-lock.json", replace(std::string(kNpm3), "\"version\": \"4.0.0\",", "\"version\": \"4.0.0\""));
  // The missing comma after line 28 shows at the next token, line 29.
  EXPECT_NE(message.find("web/package-lock.json:29: not valid JSON"), std::string::npos) << message;
  message = parse_error("package-lock.json", replace(std::string(kNpm3), "\"lockfileVersion\": 3", "\"lockfileVersion\": 1"));
  EXPECT_NE(message.find("lockfileVersion 1 is not supported"), std::string::npos) << message;
  message = parse_error("package-lock.json", replace(std::string(kNpm3), "\"js-tokens\": \"^3.0.0\"", "\"js-tokenz\": \"^3.0.0\""));
  EXPECT_NE(message.find("`node_modules/loose-envify` depends on `js-tokenz`"), std::string::npos) << message;
  // Wrong types read as absent (here: not a link), never as exceptions.
  fs::MemorySourceTree tree;
  EXPECT_NO_THROW((void)parse("package-lock.json", replace(std::string(kNpm3), "\"link\": true}", "\"link\": \"yes\"}"), tree));
  EXPECT_NO_THROW((void)parse("package-lock.json", replace(std::string(kNpm3), "\"version\": \"4.0.0\"", "\"version\": 4"), tree));
  EXPECT_FALSE(parse_error("package-lock.json", "[1, 2]").empty());
  EXPECT_FALSE(parse_error("package-lock.json", "{\"lockfileVersion\": 3, \"packages\": []}").empty());
}

}  // namespace
}  // namespace wharf::lockfile
