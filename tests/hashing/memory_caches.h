// In-memory StatCache for tests: plain maps, with put()
// staged until commit() as the LMDB ones do. Intentionally simplistic: no
// persistence, no concurrency.
#pragma once

#include <map>
#include <string>

#include "hashing/stat_cache.h"

namespace wharf::hashing::testing {

class MemoryStatCache : public StatCache {
 public:
  std::optional<StatRecord> find(std::string_view path) override {
    auto it = committed.find(std::string(path));
    if (it == committed.end()) return std::nullopt;
    return it->second;
  }
  void put(std::string_view path, const StatRecord& record) override { staged[std::string(path)] = record; }
  Result<void> commit() override {
    for (auto& [path, record] : staged) committed[path] = record;
    staged.clear();
    commits++;
    return ok();
  }

  std::map<std::string, StatRecord> committed;
  std::map<std::string, StatRecord> staged;
  int commits = 0;
};

}  // namespace wharf::hashing::testing
