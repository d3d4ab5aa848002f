#include "cache/stats.h"

#include <algorithm>
#include <filesystem>

#include "cache/undecodable.h"

namespace wharf::cache {

Result<CacheStats> collect_stats(Cache& cache) {
  namespace fs = std::filesystem;
  CacheStats stats;
  stats.path = cache.dir();
  auto env = cache.env().usage();
  if (!env) return std::unexpected(env.error());
  stats.env = *env;
  for (std::size_t i = 0; i < kDbCount; ++i) {
    auto usage = cache.env().usage(static_cast<Db>(i));
    if (!usage) return std::unexpected(usage.error());
    stats.dbs.push_back({kDbNames[i], usage->entries, usage->bytes, 0});
  }
  auto read = cache.env().read([&](Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < kDbCount; ++i) {
      if (static_cast<Db>(i) == Db::meta) continue;  // its format record was checked at open
      auto keys = undecodable_keys(txn, static_cast<Db>(i));
      if (!keys) return std::unexpected(keys.error());
      stats.dbs[i].undecodable = keys->size();
      stats.undecodable_records += keys->size();
    }
    return ok();
  });
  if (!read) return std::unexpected(read.error());
  auto blobs = cache.blobs().list();
  if (!blobs) return std::unexpected(blobs.error());
  stats.blob_count = blobs->size();
  for (const auto& blob : *blobs) stats.blob_bytes += blob.size;

  TempUsage temporaries = cache.blobs().temporaries();
  stats.tmp_files = temporaries.files;
  stats.tmp_bytes = temporaries.bytes;
  std::error_code ec;
  for (fs::directory_iterator it(cache.dir(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with("db.corrupt-")) stats.corrupt_dirs.push_back(it->path().string());
  }
  std::sort(stats.corrupt_dirs.begin(), stats.corrupt_dirs.end());
  return stats;
}

}  // namespace wharf::cache
