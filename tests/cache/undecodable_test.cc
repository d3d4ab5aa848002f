// Records no reader can use (issue 12's residuals): `cache stats` counts
// them per database and `cache gc` deletes them, whether their seal fails
// (a flipped byte in data.mdb) or their sealed payload does not decode.
#include "cache/undecodable.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cache/gc.h"
#include "cache/report.h"
#include "cache/stats.h"
#include "tests/cache/cache_fixture.h"
#include "tests/cache/subprocess.h"

namespace wharf::cache {
namespace {

using UndecodableTest = CacheTest;

constexpr std::string_view kMarker = "transcript-marker-to-flip";

// Flips one byte of every copy of `marker` in the environment's data file
// (LMDB may keep older copies in freed pages); returns how many it found.
int FlipEverywhere(const std::string& data_file, std::string_view marker) {
  std::string bytes = testing::slurp(data_file);
  int found = 0;
  for (auto at = bytes.find(marker); at != std::string::npos; at = bytes.find(marker, at + 1)) {
    bytes[at] = 'T';
    ++found;
  }
  std::ofstream(data_file, std::ios::binary | std::ios::in | std::ios::out) << bytes;
  return found;
}

TEST_F(UndecodableTest, StatsCountThemAndGcDeletesThem) {
  {
    auto cache = Open();
    ASSERT_TRUE(cache);
    Store(*cache, Key(1), "api", "zip bytes", "a good transcript");
    std::vector<std::string> keys = {Key(5)};
    std::vector<std::string> texts = {std::string(kMarker)};
    ASSERT_TRUE(cache->artifacts().put_transcripts(keys, texts));
    ASSERT_TRUE(cache->env().write([](Txn& txn) -> Result<void> {
      if (auto r = txn.put(Db::artifacts, Key(9), "{not a record"); !r) return r;
      if (auto r = txn.put(Db::stat, "src/a.ts", "short"); !r) return r;
      return txn.put(Db::last_built, "web", "not an input key");
    }));
  }
  ASSERT_GE(FlipEverywhere(dir() + "/db/data.mdb", kMarker), 1);

  auto cache = Open();
  ASSERT_TRUE(cache);
  EXPECT_EQ(cache->transcript(Key(5)).value_or("?"), std::nullopt);  // a miss
  auto stats = collect_stats(*cache);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->undecodable_records, 4u);
  EXPECT_EQ(FindDb(*stats, "artifacts").undecodable, 1u);
  EXPECT_EQ(FindDb(*stats, "stat").undecodable, 1u);
  EXPECT_EQ(FindDb(*stats, "transcripts").undecodable, 1u);
  EXPECT_EQ(FindDb(*stats, "last_built").undecodable, 1u);
  EXPECT_EQ(FindDb(*stats, "ledger").undecodable, 0u);
  auto json = nlohmann::json::parse(stats_to_json(*stats));
  EXPECT_EQ(json["undecodable_records"], 4);
  EXPECT_EQ(json["databases"]["transcripts"]["undecodable"], 1);
  EXPECT_EQ(json["databases"]["artifacts"]["entries"], 2);  // the existing fields stay
  EXPECT_NE(stats_to_text(*stats).find("undecodable records: 4"), std::string::npos) << stats_to_text(*stats);

  auto report = collect_garbage(*cache, GcOptions{1 << 20, 0, DryRun::no, kUnreferencedGrace});
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->undecodable_records, 4u);
  EXPECT_TRUE(report->removed.empty());
  EXPECT_NE(gc_to_text(*report).find("removed 4 records that did not decode"), std::string::npos);

  stats = collect_stats(*cache);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->undecodable_records, 0u);
  EXPECT_EQ(FindDb(*stats, "artifacts").entries, 1u);
  EXPECT_EQ(FindDb(*stats, "transcripts").entries, 1u);
  EXPECT_EQ(FindDb(*stats, "last_built").entries, 1u);
  EXPECT_NE(stats_to_text(*stats).find("undecodable records: 0\n"), std::string::npos);
  EXPECT_TRUE(cache->find_artifact(Key(1)).value_or(std::nullopt).has_value());
  EXPECT_EQ(cache->transcript(Key(1)).value_or(std::nullopt), "a good transcript");
}

TEST(DecodesTest, JudgesEachDatabaseByItsOwnFormat) {
  EXPECT_FALSE(decodes(Db::stat, "short"));
  EXPECT_FALSE(decodes(Db::artifacts, "{}"));
  EXPECT_TRUE(decodes(Db::last_built, Key(3)));
  EXPECT_FALSE(decodes(Db::last_built, "web"));
  EXPECT_FALSE(decodes(Db::ledger, "[]"));
  EXPECT_TRUE(decodes(Db::transcripts, "anything"));
}

}  // namespace
}  // namespace wharf::cache
