// Storage interface for the stat cache: path -> (stat facts, content hash),
// so an unchanged file is never read twice. cache/ implements it on LMDB;
// tests use an in-memory one.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/file_system.h"
#include "util/error.h"

namespace wharf::hashing {

// A content hash: XXH3-128 of the bytes (or of the link target for a symlink).
using Digest128 = std::array<std::uint8_t, 16>;

struct StatRecord {
  fs::FileStat stat;
  // When the record was written (FileSystem::now_ns()); a file whose mtime is
  // not older than this may have changed within the same timestamp tick and
  // must be re-hashed ("racy" entry, as git's index handles it).
  std::int64_t recorded_ns = 0;
  Digest128 digest{};
};

// Not thread-safe: the hasher calls it from one thread.
class StatCache {
 public:
  virtual ~StatCache() = default;
  // The record for a repository-relative path, if any.
  virtual std::optional<StatRecord> find(std::string_view path) = 0;
  // Records to write; applied atomically by commit().
  virtual void put(std::string_view path, const StatRecord& record) = 0;
  virtual Result<void> commit() = 0;
};

}  // namespace wharf::hashing
