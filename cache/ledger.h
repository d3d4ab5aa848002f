// The deploy ledger (Db::ledger): per environment and service, what is
// deployed there. Later issues fill it; gc never removes an artifact an
// entry points to. Keys are "environment\0service" for the newest entry and
// "environment\0service\0<time, 20 digits>" for its history (the newest
// kLedgerHistory entries, oldest dropped as new ones come).
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

// How many past entries are kept per environment and service.
inline constexpr std::size_t kLedgerHistory = 50;

class Ledger {
 public:
  explicit Ledger(LmdbEnv& env) : env_(env) {}

  // Makes `entry` the newest for (environment, service), keeping the one
  // it replaces in the history. ErrorKind::usage when a name is empty or
  // contains a NUL byte.
  Result<void> record(std::string_view environment, std::string_view service, const LedgerEntry& entry);
  // Records several entries in one transaction (`wharf record`).
  Result<void> record_all(std::string_view environment,
                          const std::vector<std::pair<std::string, LedgerEntry>>& entries);
  // The history of (environment, service), oldest first, the newest last.
  Result<std::vector<LedgerEntry>> history(std::string_view environment, std::string_view service);
  // nullopt when there is none or it does not decode.
  Result<std::optional<LedgerEntry>> find(std::string_view environment, std::string_view service);
  // The newest entries of one environment, or of all when `environment` is
  // empty, sorted by environment then service. Entries that do not decode
  // are skipped.
  Result<std::vector<LedgerRow>> list(std::string_view environment = {});

 private:
  LmdbEnv& env_;
};

}  // namespace wharf::cache
