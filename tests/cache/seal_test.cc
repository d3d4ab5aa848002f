#include "cache/seal.h"

#include <gtest/gtest.h>

namespace wharf::cache {
namespace {

TEST(SealTest, RoundTrips) {
  std::string sealed = seal("api/main.ts", "payload");
  EXPECT_EQ(sealed.size(), 7 + kSealOverhead);
  Unsealed out = unseal("api/main.ts", sealed);
  EXPECT_EQ(out.check, SealCheck::ok);
  EXPECT_EQ(out.payload, "payload");
  EXPECT_EQ(unseal("k", seal("k", "")).check, SealCheck::ok);
}

TEST(SealTest, EveryFlippedBitIsDamage) {
  std::string sealed = seal("key", "a stat record's bytes");
  for (std::size_t i = 1; i < sealed.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = sealed;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      EXPECT_EQ(unseal("key", damaged).check, SealCheck::damaged) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(SealTest, AValueUnderAnotherKeyIsDamage) {
  EXPECT_EQ(unseal("api/b.ts", seal("api/a.ts", "same bytes")).check, SealCheck::damaged);
}

TEST(SealTest, TruncatedIsDamageAndUnsealedIsForeign) {
  std::string sealed = seal("key", "value");
  EXPECT_EQ(unseal("key", sealed.substr(0, 5)).check, SealCheck::damaged);
  EXPECT_EQ(unseal("key", "{\"v\":1}").check, SealCheck::foreign);  // an older wharf's JSON record
  EXPECT_EQ(unseal("key", std::string(62, '\1')).check, SealCheck::foreign);
  EXPECT_EQ(unseal("key", "").check, SealCheck::foreign);
}

}  // namespace
}  // namespace wharf::cache
