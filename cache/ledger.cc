#include "cache/ledger.h"

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

}  // namespace

Result<void> Ledger::record(std::string_view environment, std::string_view service, const LedgerEntry& entry) {
  auto key = ledger_key(environment, service);
  if (!key) return std::unexpected(key.error());
  std::string encoded = encode_ledger(entry);
  return env_.write([&](Txn& txn) { return txn.put(Db::ledger, *key, encoded); });
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
      auto entry = decode_ledger(value);
      if (split != std::string_view::npos && entry) {
        rows.push_back({std::string(key.substr(0, split)), std::string(key.substr(split + 1)), std::move(*entry)});
      }
      return true;
    });
  });
  if (!read) return std::unexpected(read.error());
  return rows;
}

}  // namespace wharf::cache
