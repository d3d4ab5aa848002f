// The deploy ledger (Db::ledger): per environment and service, what is
// deployed there. Later issues fill it; gc never removes an artifact an
// entry points to. Keys are "environment\0service".
//
// Not thread-safe; borrows the LmdbEnv, which must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/lmdb_env.h"
#include "cache/records.h"

namespace wharf::cache {

struct LedgerRow {
  std::string environment;
  std::string service;
  LedgerEntry entry;
};

class Ledger {
 public:
  explicit Ledger(LmdbEnv& env) : env_(env) {}

  // Replaces the entry for (environment, service). ErrorKind::usage when a
  // name is empty or contains a NUL byte.
  Result<void> record(std::string_view environment, std::string_view service, const LedgerEntry& entry);
  // nullopt when there is none or it does not decode.
  Result<std::optional<LedgerEntry>> find(std::string_view environment, std::string_view service);
  // Entries of one environment, or of all when `environment` is empty,
  // sorted by environment then service. Entries that do not decode are skipped.
  Result<std::vector<LedgerRow>> list(std::string_view environment = {});

 private:
  LmdbEnv& env_;
};

}  // namespace wharf::cache
