#include "cache/stat_store.h"

#include "cache/records.h"
#include "cache/sha256.h"

namespace wharf::cache {
namespace {

// LMDB's default key limit is 511 bytes; deep paths can be longer. A NUL
// prefix cannot clash with a real path.
constexpr std::size_t kMaxKey = 480;

std::string db_key(std::string_view key) {
  if (key.size() <= kMaxKey) return std::string(key);
  return std::string("\0long\0", 6) + sha256_hex(key);
}

}  // namespace

std::optional<std::string> BufferedDb::find(std::string_view key) {
  std::string stored_key = db_key(key);
  if (auto it = pending_.find(stored_key); it != pending_.end()) return it->second;
  auto txn = snapshot_.txn();
  if (!txn) return std::nullopt;
  auto value = (*txn)->get(db_, stored_key, payload_size_);
  if (!value || !*value) return std::nullopt;
  return std::string(**value);
}

void BufferedDb::put(std::string_view key, std::string value) { pending_[db_key(key)] = std::move(value); }

Result<void> BufferedDb::commit() {
  if (pending_.empty()) return ok();
  snapshot_.release();  // the next find() sees what this commit wrote
  auto written = env_.write([this](Txn& txn) -> Result<void> {
    for (const auto& [key, value] : pending_) {
      if (auto r = txn.put(db_, key, value); !r) return r;
    }
    return ok();
  });
  if (written) pending_.clear();
  return written;
}

std::optional<hashing::StatRecord> LmdbStatCache::find(std::string_view path) {
  auto bytes = db_.find(path);
  if (!bytes) return std::nullopt;
  return decode_stat(*bytes);
}

void LmdbStatCache::put(std::string_view path, const hashing::StatRecord& record) {
  db_.put(path, encode_stat(record));
}

}  // namespace wharf::cache
