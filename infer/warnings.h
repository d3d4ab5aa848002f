// What inference could not read or had to guess, one sentence each, as
// "file:line: message" (the line left out when it is not known). Collected
// rather than printed so the library stays quiet and tests can look at them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace wharf::infer {

class Warnings {
 public:
  void add(std::string_view file, int line, std::string_view message) {
    if (line > 0) {
      items_.push_back(fmt::format("{}:{}: {}", file, line, message));
    } else {
      items_.push_back(fmt::format("{}: {}", file, message));
    }
  }
  // A message that names its place itself (a parser's "file:line:col: ...").
  void add_located(std::string message) { items_.push_back(std::move(message)); }
  const std::vector<std::string>& items() const { return items_; }
  std::vector<std::string> take() { return std::move(items_); }

 private:
  std::vector<std::string> items_;
};

}  // namespace wharf::infer
