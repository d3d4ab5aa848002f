#include <gtest/gtest.h>

#include "lockfile/lockfile.h"
#include "tests/lockfile/lockfile_test_util.h"
#include "tests/lockfile/samples.h"

namespace wharf::lockfile {
namespace {

using namespace testing::samples;

// Every prefix of each sample, and each sample with one byte replaced by
// characters that matter to the formats: a value or an error every time,
// never a crash or an exception (run under the sanitizers too).
TEST(LockfileCorruptInputTest, TruncatedAndDamagedLockfilesNeverCrash) {
  fs::MemorySourceTree tree({{"package.json", R"({"workspaces": ["apps/*", "packages/*"]})"},
                             {"apps/cart/package.json", R"({"name": "cart", "dependencies": {"react": "^18.2.0"}})"}});
  std::string pnpm6 = testing::replace(std::string(kPnpm9).substr(0, kPnpm9.find("packages:\n")), "'9.0'", "'6.0'");
  pnpm6 = testing::replace(pnpm6, "version: string-width@4.2.3", "version: /string-width@4.2.3") +
          std::string(kPnpm6Packages);
  const std::pair<std::string_view, std::string> samples[] = {{"pnpm-lock.yaml", std::string(kPnpm9)},
                                                              {"pnpm-lock.yaml", pnpm6},
                                                              {"package-lock.json", std::string(kNpm3)},
                                                              {"yarn.lock", std::string(kYarnClassic)},
                                                              {"yarn.lock", std::string(kYarnBerry)}};
  std::size_t errors = 0, parsed = 0;
  for (const auto& [path, text] : samples) {
    ASSERT_TRUE(parse(path, text, tree) || path == "yarn.lock") << path;
    for (std::size_t length = 0; length < text.size(); length += 7) {
      auto result = parse(path, std::string_view(text).substr(0, length), tree);
      result ? ++parsed : ++errors;
    }
    for (std::size_t at = 0; at < text.size(); at += 5) {
      for (char c : {':', '\n', '"', '{', ' ', '\0', '('}) {
        std::string damaged = text;
        damaged[at] = c;
        auto result = parse(path, damaged, tree);
        result ? ++parsed : ++errors;
        if (!result) {
          EXPECT_FALSE(result.error().message.empty());
        }
      }
    }
  }
  // Both outcomes happen: some damage is harmless, most is not.
  EXPECT_GT(errors, 100u);
  EXPECT_GT(parsed, 10u);
}

}  // namespace
}  // namespace wharf::lockfile
