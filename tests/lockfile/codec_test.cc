#include <gtest/gtest.h>

#include "tests/lockfile/lockfile_test_util.h"

namespace wharf::lockfile {
namespace {

constexpr std::string_view kLock = R"(lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      '@scope/a':
        specifier: ^1.0.0
        version: 1.0.0(react@18.2.0)
      ui:
        specifier: workspace:*
        version: link:packages/ui

  packages/ui:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0

packages:

  '@scope/a@1.0.0':
    resolution: {integrity: sha512-a}

  react@18.2.0:
    resolution: {tarball: https://example.com/react-18.2.0.tgz}

snapshots:

  '@scope/a@1.0.0(react@18.2.0)':
    dependencies:
      react: 18.2.0

  react@18.2.0: {}
)";

TEST(LockfileCodecTest, RoundTripsAndRejectsDamage) {
  Lockfile lock = testing::parse_ok("pnpm-lock.yaml", kLock);
  ASSERT_EQ(lock.instances.size(), 2u);
  EXPECT_EQ(lock.packages[1].integrity, "{\"tarball\":\"https://example.com/react-18.2.0.tgz\"}");
  std::string bytes = encode(lock);
  auto decoded = decode(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(*decoded == lock);
  EXPECT_EQ(encode(*decoded), bytes);  // deterministic

  // Every single-byte change, and every truncation, is rejected.
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(decode(damaged)) << "byte " << i;
    EXPECT_FALSE(decode(std::string_view(bytes).substr(0, i))) << "length " << i;
  }
  EXPECT_FALSE(decode(bytes + "x"));
  EXPECT_FALSE(decode(""));
}

TEST(LockfileCodecTest, AValidChecksumOverBadIndicesIsStillRejected) {
  // An encoder bug (or a future version's data) must not become an
  // out-of-range index: decode() checks indices, not only the checksum.
  Lockfile lock = testing::parse_ok("pnpm-lock.yaml", kLock);
  lock.importers[0].deps = {7};
  EXPECT_FALSE(decode(encode(lock)));
  lock = testing::parse_ok("pnpm-lock.yaml", kLock);
  lock.instances[0].package = 9;
  EXPECT_FALSE(decode(encode(lock)));
}

}  // namespace
}  // namespace wharf::lockfile
