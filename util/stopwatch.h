// Wall-clock phase times for --stats: where a run spent its milliseconds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf {

class Stopwatch {
 public:
  Stopwatch() : last_(Clock::now()) {}

  // Records the time since the previous lap (or construction) under `name`.
  void lap(std::string_view name) {
    auto now = Clock::now();
    laps_.emplace_back(std::string(name), std::chrono::duration<double, std::milli>(now - last_).count());
    last_ = now;
  }

  const std::vector<std::pair<std::string, double>>& laps() const { return laps_; }

  // "name=1.23ms name2=0.45ms"
  std::string str() const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_;
  std::vector<std::pair<std::string, double>> laps_;
};

}  // namespace wharf
