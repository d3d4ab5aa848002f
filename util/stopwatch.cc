#include "util/stopwatch.h"

#include <fmt/format.h>

namespace wharf {

std::string Stopwatch::str() const {
  std::string out;
  for (const auto& [name, ms] : laps_) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={:.2f}ms", name, ms);
  }
  return out;
}

}  // namespace wharf
