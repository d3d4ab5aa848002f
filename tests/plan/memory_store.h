// A ParsedStore in memory that counts what it is asked, for the lockfile
// tests of the plan.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "plan/lockfiles.h"

namespace wharf::plan {

class MemoryStore : public ParsedStore {
 public:
  std::optional<std::string> load(std::string_view key) override {
    ++loads;
    auto it = entries.find(std::string(key));
    if (it == entries.end()) return std::nullopt;
    return it->second;
  }
  void store(std::string_view key, std::string_view bytes) override { entries[std::string(key)] = bytes; }
  std::map<std::string, std::string> entries;
  int loads = 0;
};

}  // namespace wharf::plan
