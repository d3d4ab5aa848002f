#include "infer/names.h"

#include <gtest/gtest.h>

namespace wharf::infer {
namespace {

TEST(InferNamesTest, ValidNamesFromImagesAndPackages) {
  EXPECT_EQ(image_base_name("gcr.io/acme/cart:v1"), "cart");
  EXPECT_EQ(image_base_name("localhost:5000/web@sha256:abc"), "web");
  EXPECT_EQ(without_scope("@acme/ui"), "ui");
  EXPECT_EQ(sanitize_name("_my app!"), "my-app-");
  EXPECT_EQ(sanitize_name(std::string(200, 'x')).size(), 96u);
  NameTable names;
  EXPECT_EQ(names.claim("api"), "api");
  EXPECT_EQ(names.claim("api"), "api-2");
  EXPECT_EQ(names.claim("api"), "api-3");
}

}  // namespace
}  // namespace wharf::infer
