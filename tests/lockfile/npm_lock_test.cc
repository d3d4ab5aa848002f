#include <gtest/gtest.h>

#include "tests/lockfile/lockfile_test_util.h"

namespace wharf::lockfile {
namespace {

using testing::closure_of;
using testing::parse_error;
using testing::parse_ok;
using testing::replace;
using Names = std::vector<std::string>;

// npm 9 workspaces: cart links @acme/ui (a workspace); ui has its own
// react 17 nested under packages/ui/node_modules; loose-envify has a nested
// js-tokens 3 while the root has js-tokens 4.
constexpr std::string_view kNpm3 = R"json({
  "name": "shop",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "shop",
      "workspaces": ["apps/*", "packages/*"],
      "devDependencies": {"typescript": "^5.4.0"},
      "overrides": {"semver": "^7.5.4"}
    },
    "apps/admin": {
      "name": "admin",
      "version": "1.0.0",
      "dependencies": {"js-tokens": "^4.0.0", "left-pad": "^1.3.0"}
    },
    "apps/cart": {
      "name": "cart",
      "version": "1.0.0",
      "dependencies": {"@acme/ui": "*", "react": "^18.2.0"},
      "optionalDependencies": {"fsevents": "^2.3.0"}
    },
    "node_modules/@acme/ui": {"resolved": "packages/ui", "link": true},
    "node_modules/admin": {"resolved": "apps/admin", "link": true},
    "node_modules/cart": {"resolved": "apps/cart", "link": true},
    "node_modules/js-tokens": {
      "version": "4.0.0",
      "resolved": "https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz",
      "integrity": "sha512-jsTokens4"
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-leftPad130",
      "deprecated": "use String.prototype.padStart()"
    },
    "node_modules/loose-envify": {
      "version": "1.4.0",
      "integrity": "sha512-looseEnvify140",
      "dependencies": {"js-tokens": "^3.0.0"},
      "bin": {"loose-envify": "cli.js"}
    },
    "node_modules/loose-envify/node_modules/js-tokens": {
      "version": "3.0.2",
      "integrity": "sha512-jsTokens3"
    },
    "node_modules/object-assign": {
      "version": "4.1.1",
      "integrity": "sha512-objectAssign411"
    },
    "node_modules/react": {
      "version": "18.2.0",
      "integrity": "sha512-react1820",
      "dependencies": {"loose-envify": "^1.1.0"}
    },
    "node_modules/typescript": {
      "version": "5.4.5",
      "dev": true,
      "integrity": "sha512-typescript545"
    },
    "packages/ui": {
      "name": "@acme/ui",
      "version": "1.0.0",
      "dependencies": {"react": "^17.0.2"},
      "peerDependencies": {"react-dom": "*"}
    },
    "packages/ui/node_modules/react": {
      "version": "17.0.2",
      "integrity": "sha512-react1702",
      "dependencies": {"loose-envify": "^1.1.0", "object-assign": "^4.1.1"}
    }
  }
}
)json";

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
