#include "cache/ledger.h"

#include <algorithm>

#include <fmt/format.h>

namespace wharf::cache {
namespace {

Result<std::string> ledger_key(std::string_view environment, std::string_view service) {
  for (std::string_view name : {environment, service}) {
    if (name.empty() || name.find('\0') != std::string_view::npos) {
      return fail(ErrorKind::usage, "ledger environment and service names must be non-empty and contain no NUL");
    }
  }
  std::string key(environment);
  key.push_back('\0');
  key.append(service);
  return key;
}

// The history key of an entry: its time as 20 digits sorts as a number.
std::string history_key(const std::string& key, std::int64_t time_ns) {
  return fmt::format("{}{}{:020}", key, '\0', std::max<std::int64_t>(time_ns, 0));
}

// Puts `entry` as the newest and in the history, and drops history beyond
// kLedgerHistory.
Result<void> put_entry(Txn& txn, const std::string& key, const LedgerEntry& entry) {
  std::string encoded = encode_ledger(entry);
  if (auto put = txn.put(Db::ledger, key, encoded); !put) return put;
  if (auto put = txn.put(Db::ledger, history_key(key, entry.time_ns), encoded); !put) return put;
  const std::string prefix = key + '\0';
  std::vector<std::string> keys;
  auto scanned = txn.scan(Db::ledger, prefix, [&](std::string_view k, std::string_view) {
    if (!k.starts_with(prefix)) return false;
    keys.emplace_back(k);
    return true;
  });
  if (!scanned) return scanned;
  for (std::size_t i = 0; i + kLedgerHistory < keys.size(); ++i) {
    if (auto gone = txn.del(Db::ledger, keys[i]); !gone) return std::unexpected(gone.error());
  }
  return ok();
}

}  // namespace

Result<void> Ledger::record(std::string_view environment, std::string_view service, const LedgerEntry& entry) {
  auto key = ledger_key(environment, service);
  if (!key) return std::unexpected(key.error());
  return env_.write([&](Txn& txn) { return put_entry(txn, *key, entry); });
}

Result<void> Ledger::record_all(std::string_view environment,
                                const std::vector<std::pair<std::string, LedgerEntry>>& entries) {
  std::vector<std::string> keys;
  for (const auto& [service, _] : entries) {
    auto key = ledger_key(environment, service);
    if (!key) return std::unexpected(key.error());
    keys.push_back(std::move(*key));
  }
  return env_.write([&](Txn& txn) -> Result<void> {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (auto put = put_entry(txn, keys[i], entries[i].second); !put) return put;
    }
    return ok();
  });
}

Result<std::vector<LedgerEntry>> Ledger::history(std::string_view environment, std::string_view service) {
  auto key = ledger_key(environment, service);
  if (!key) return std::unexpected(key.error());
  const std::string prefix = *key + '\0';
  std::vector<LedgerEntry> out;
  auto read = env_.read([&](Txn& txn) {
    return txn.scan(Db::ledger, prefix, [&](std::string_view k, std::string_view value) {
      if (!k.starts_with(prefix)) return false;
      if (auto entry = decode_ledger(value)) out.push_back(std::move(*entry));
      return true;
    });
  });
  if (!read) return std::unexpected(read.error());
  return out;
}

Result<std::optional<LedgerEntry>> Ledger::find(std::string_view environment, std::string_view service) {
  auto key = ledger_key(environment, service);
  if (!key) return std::unexpected(key.error());
  auto value = env_.get(Db::ledger, *key);
  if (!value) return std::unexpected(value.error());
  if (!*value) return std::optional<LedgerEntry>();
  return decode_ledger(**value);
}

Result<std::vector<LedgerRow>> Ledger::list(std::string_view environment) {
  std::string prefix;
  if (!environment.empty()) {
    prefix = environment;
    prefix.push_back('\0');
  }
  std::vector<LedgerRow> rows;
  auto read = env_.read([&](Txn& txn) {
    return txn.scan(Db::ledger, prefix, [&](std::string_view key, std::string_view value) {
      if (!key.starts_with(prefix)) return false;
      auto split = key.find('\0');
      if (split == std::string_view::npos || key.find('\0', split + 1) != std::string_view::npos) {
        return true;  // a history entry
      }
      auto entry = decode_ledger(value);
      if (entry) {
        rows.push_back({std::string(key.substr(0, split)), std::string(key.substr(split + 1)), std::move(*entry)});
      }
      return true;
    });
  });
  if (!read) return std::unexpected(read.error());
  return rows;
}

}  // namespace wharf::cache
