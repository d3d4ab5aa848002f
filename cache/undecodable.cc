#include "cache/undecodable.h"

#include "cache/records.h"

namespace wharf::cache {

bool decodes(Db db, std::string_view value) {
  switch (db) {
    case Db::stat:
      return decode_stat(value).has_value();
    case Db::artifacts:
      return decode_artifact(value).has_value();
    case Db::last_built:
      return is_input_key(value);
    case Db::ledger:
      return decode_ledger(value).has_value();
    case Db::meta:
    case Db::transcripts:
    case Db::parsed:  // its reader checks its own encoding
      return true;
  }
  return true;
}

Result<std::vector<std::string>> undecodable_keys(Txn& txn, Db db) {
  std::vector<std::string> keys;
  auto scanned = txn.scan_all(db, [&](std::string_view key, std::optional<std::string_view> value) {
    if (!value || !decodes(db, *value)) keys.emplace_back(key);
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  return keys;
}

}  // namespace wharf::cache
