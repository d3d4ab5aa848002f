// hashing::StatCache on LMDB (Db::stat).
// Lookups read from one snapshot kept open between calls (cheap, and
// consistent for a hashing run); put()s are buffered and written by commit()
// in one write transaction. A record of the wrong length (checked before any
// byte is read), with a broken seal or that fails to decode is a miss. A
// lookup error (I/O, corruption) is also reported as a miss: the hasher then
// reads the file, which is slower but never wrong.
//
// Not thread-safe. Borrow the LmdbEnv, which must outlive them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cache/lmdb_env.h"
#include "cache/records.h"
#include "hashing/stat_cache.h"

namespace wharf::cache {

// A database read through a snapshot, with writes buffered until commit().
// Keys longer than LMDB's limit are stored under their SHA-256.
class BufferedDb {
 public:
  // Stored values whose payload is not `payload_size` bytes are misses.
  BufferedDb(LmdbEnv& env, Db db, std::size_t payload_size = kAnySize)
      : env_(env), db_(db), payload_size_(payload_size), snapshot_(env) {}

  // The stored (or pending) bytes for `key`; nullopt on a miss or an error.
  std::optional<std::string> find(std::string_view key);
  void put(std::string_view key, std::string value);
  // Writes every pending put in one transaction; keeps them on failure.
  Result<void> commit();
  std::size_t pending() const { return pending_.size(); }

 private:
  LmdbEnv& env_;
  Db db_;
  std::size_t payload_size_;
  Snapshot snapshot_;
  std::map<std::string, std::string, std::less<>> pending_;
};

class LmdbStatCache final : public hashing::StatCache {
 public:
  explicit LmdbStatCache(LmdbEnv& env) : db_(env, Db::stat, kStatRecordSize) {}
  std::optional<hashing::StatRecord> find(std::string_view path) override;
  void put(std::string_view path, const hashing::StatRecord& record) override;
  Result<void> commit() override { return db_.commit(); }
  std::size_t pending() const { return db_.pending(); }

 private:
  BufferedDb db_;
};

}  // namespace wharf::cache
