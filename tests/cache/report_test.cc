#include "cache/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wharf::cache {
namespace {

GcReport SampleReport() {
  GcReport report;
  report.dry_run = true;
  report.removed.push_back({std::string(32, '1'),
                            ArtifactRecord{"api", "zip", std::string(64, 'a'), 2048, 1, 2, {}, ""},
                            RemovalReason::lru});
  report.removed_blobs.push_back({std::string(64, 'a'), 2048});
  report.kept = 3;
  report.bytes_before = 4096;
  report.bytes_after = 2048;
  return report;
}

TEST(ReportTest, GcJsonHasTheRemovedArtifactsAndBlobs) {
  auto json = nlohmann::json::parse(gc_to_json(SampleReport()));
  EXPECT_EQ(json["dry_run"], true);
  ASSERT_EQ(json["removed"].size(), 1u);
  EXPECT_EQ(json["removed"][0]["key"], std::string(32, '1'));
  EXPECT_EQ(json["removed"][0]["service"], "api");
  EXPECT_EQ(json["removed"][0]["reason"], "lru");
  EXPECT_FALSE(json["removed"][0].contains("v"));
  EXPECT_EQ(json["removed_blobs"][0]["size"], 2048);
  EXPECT_EQ(json["bytes_after"], 2048);
}

TEST(ReportTest, GcTextSaysWouldRemoveInADryRun) {
  auto text = gc_to_text(SampleReport());
  EXPECT_NE(text.find("would remove 1111"), std::string::npos) << text;
  EXPECT_NE(text.find("4.0 KiB -> 2.0 KiB"), std::string::npos) << text;
}

TEST(ReportTest, StatsJsonNamesEachDatabase) {
  CacheStats stats;
  stats.path = "/c";
  stats.dbs.push_back({"artifacts", 3, 4096});
  stats.blob_count = 2;
  auto json = nlohmann::json::parse(stats_to_json(stats));
  EXPECT_EQ(json["path"], "/c");
  EXPECT_EQ(json["databases"]["artifacts"]["entries"], 3);
  EXPECT_EQ(json["blobs"]["count"], 2);
  EXPECT_NE(stats_to_text(stats).find("artifacts"), std::string::npos);
}

}  // namespace
}  // namespace wharf::cache
