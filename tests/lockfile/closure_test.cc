#include <gtest/gtest.h>

#include "lockfile/lockfile.h"

namespace wharf::lockfile {
namespace {

// A lockfile built by hand: one importer "." reaching every package given
// (each its own instance), so a closure is exactly those packages.
Lockfile reaching(std::vector<Package> packages) {
  Lockfile lock;
  std::sort(packages.begin(), packages.end());
  lock.packages = packages;
  Lockfile::Importer root{".", {}, {}};
  for (std::uint32_t i = 0; i < packages.size(); ++i) {
    lock.instances.push_back({packages[i].name + "@" + packages[i].version, i, {}});
    root.deps.push_back(i);
  }
  lock.importers.push_back(root);
  return lock;
}

std::string describe(const std::vector<Package>& before, const std::vector<Package>& after, std::size_t limit = 3) {
  Lockfile a = reaching(before), b = reaching(after);
  std::vector<std::string> root{"."};
  return describe_changes(a, closure(a, root), b, closure(b, root), limit);
}

TEST(LockfileClosureTest, DescribeChangesSaysWhatChangedInNameOrder) {
  std::vector<Package> before = {{"react", "18.2.0", "sha512-a"}, {"left-pad", "1.3.0", "sha512-b"},
                                 {"lodash", "4.17.21", "sha512-c"}, {"tslib", "2.6.0", "sha512-d"}};
  std::vector<Package> after = {{"react", "18.3.1", "sha512-e"}, {"zod", "3.23.8", "sha512-f"},
                                {"lodash", "4.17.21", "sha512-other"}, {"tslib", "2.6.0", "sha512-d"}};
  EXPECT_EQ(describe(before, after, 10),
            "left-pad 1.3.0 removed, lodash 4.17.21 (integrity), react 18.2.0 -> 18.3.1, zod 3.23.8 added");
  EXPECT_EQ(describe(before, after, 2), "left-pad 1.3.0 removed, lodash 4.17.21 (integrity), and 2 more");
  EXPECT_EQ(describe(before, before), "");
  // Two versions of one name side by side: each version said on its own.
  EXPECT_EQ(describe({{"a", "1.0.0", "x"}, {"a", "2.0.0", "y"}}, {{"a", "2.0.0", "y"}, {"a", "3.0.0", "z"}, {"a", "4.0.0", "w"}}),
            "a 1.0.0 removed, a 3.0.0 added, a 4.0.0 added");
}

TEST(LockfileClosureTest, DigestsDependOnContentNotOnIds) {
  // The same closure in two lockfiles whose package tables differ.
  Lockfile a = reaching({{"b", "1.0.0", "x"}});
  Lockfile b = reaching({{"a", "1.0.0", "y"}, {"b", "1.0.0", "x"}});
  b.importers[0].deps = {1};
  std::vector<std::string> root{"."};
  EXPECT_EQ(closure(a, root).digest, closure(b, root).digest);
  EXPECT_NE(closure(a, root).ids, closure(b, root).ids);
  b.packages[1].integrity = "z";
  EXPECT_NE(closure(a, root).digest, closure(b, root).digest);
  // An empty closure has a digest too, different from a non-empty one.
  EXPECT_NE(closure(a, std::vector<std::string>{"none"}).digest, closure(a, root).digest);
}

TEST(LockfileClosureTest, LinksAreFollowedTransitivelyAndCyclesEnd) {
  Lockfile lock = reaching({{"a", "1", "i"}, {"b", "1", "j"}, {"c", "1", "k"}});
  // Importers x -> y -> z -> x (a cycle), each reaching one package.
  lock.importers = {{"x", {0}, {1}}, {"y", {1}, {2}}, {"z", {2}, {0}}};
  ClosureIndex index(lock);
  for (std::string dir : {"x", "y", "z"}) {
    std::vector<std::string> one{dir};
    EXPECT_EQ(index.closure(one).ids, (std::vector<std::uint32_t>{0, 1, 2})) << dir;
  }
}

}  // namespace
}  // namespace wharf::lockfile
