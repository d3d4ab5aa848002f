// What is in a cache: entries and bytes per database, blobs, map size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cache/cache.h"

namespace wharf::cache {

struct DbStats {
  std::string name;  // as in kDbNames
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  std::uint64_t undecodable = 0;  // records no reader can use (cache/undecodable.h); gc deletes them
};

struct CacheStats {
  std::string path;  // the cache directory
  EnvUsage env;
  std::vector<DbStats> dbs;  // in kDbNames order
  std::uint64_t blob_count = 0;
  std::uint64_t blob_bytes = 0;           // each blob file once, however many artifacts list it
  std::uint64_t undecodable_records = 0;  // the sum of DbStats::undecodable
  std::uint64_t tmp_files = 0;            // blobs being written, or left by a writer that died
  std::uint64_t tmp_bytes = 0;
  std::vector<std::string> corrupt_dirs;  // environments moved aside, sorted
};

Result<CacheStats> collect_stats(Cache& cache);

}  // namespace wharf::cache
