// A cache in a scratch directory with a fake clock (every reading is one
// tick later), and helpers to fill it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cache/cache.h"
#include "cache/stats.h"
#include "tests/testing/assert_result.h"
#include "tests/testing/temp_dir.h"

namespace wharf::cache {

// The n-th input key: 32 hex digits.
inline std::string Key(int n) { return fmt::format("{:032x}", n); }

// The stats of the database called `name`.
inline const DbStats& FindDb(const CacheStats& stats, const std::string& name) {
  for (const auto& db : stats.dbs) {
    if (db.name == name) return db;
  }
  static const DbStats kNone;
  ADD_FAILURE() << "no database " << name;
  return kNone;
}

class CacheTest : public ::testing::Test {
 protected:
  std::string dir() const { return temp_.path() + "/cache"; }

  CacheOptions options(std::size_t map_size = kDefaultMapSize) {
    CacheOptions options;
    options.env.initial_map_size = map_size;
    options.clock = [this] { return ++now_; };
    return options;
  }

  // Opens dir(), expecting success and no warnings.
  std::unique_ptr<Cache> Open(std::size_t map_size = kDefaultMapSize) {
    std::vector<std::string> warnings;
    auto cache = Cache::open(dir(), warnings, options(map_size));
    EXPECT_TRUE(cache.has_value()) << cache.error().message;
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    return cache ? std::move(*cache) : nullptr;
  }

  // Stores `bytes` as the artifact for `key`.
  static ArtifactRecord Store(Cache& cache, const std::string& key, const std::string& service,
                              const std::string& bytes, const std::string& transcript = "") {
    auto blob = testing::value_or_throw(cache.put_blob(bytes), "put_blob");
    ArtifactRecord record{service, "file", blob.digest, blob.size, 0, 0, {}, ""};
    auto stored = cache.put_artifact(key, record, transcript);
    EXPECT_TRUE(stored.has_value()) << stored.error().message;
    return stored ? *stored : record;
  }

  // Stores each part as a blob and records an image whose manifest (the
  // primary blob) is parts[0] and whose config and layers are the rest.
  static ArtifactRecord StoreImage(Cache& cache, const std::string& key, const std::string& service,
                                   const std::vector<std::string>& parts) {
    ArtifactRecord record{service, "image", "", 0, 0, 0, {}, "application/vnd.oci.image.manifest.v1+json"};
    for (const auto& part : parts) {
      auto blob = testing::value_or_throw(cache.put_blob(part), "put_blob");
      record.blobs.push_back({blob.digest, blob.size, record.blobs.empty() ? record.media_type : ""});
    }
    record.digest = record.blobs.front().digest;
    record.size = record.blobs.front().size;
    auto stored = cache.put_artifact(key, record, "");
    EXPECT_TRUE(stored.has_value()) << stored.error().message;
    return stored ? *stored : record;
  }

  wharf::testing::TempDir temp_;
  std::int64_t now_ = 1000;
};

}  // namespace wharf::cache
