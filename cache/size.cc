#include "cache/size.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace wharf::cache {
namespace {

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

Result<std::uint64_t> parse_size(std::string_view text) {
  auto bad = [&] {
    return fail(ErrorKind::usage,
                fmt::format("invalid size '{}': expected a whole number of bytes with an optional K, M, G or T", text));
  };
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) return bad();
  std::string suffix = lower(std::string_view(end, text.data() + text.size()));
  if (suffix.ends_with("ib")) {
    suffix.resize(suffix.size() - 2);
    if (suffix.empty()) return bad();
  } else if (suffix.ends_with("b")) {
    suffix.pop_back();
  }
  int shift = 0;
  if (suffix == "k") {
    shift = 10;
  } else if (suffix == "m") {
    shift = 20;
  } else if (suffix == "g") {
    shift = 30;
  } else if (suffix == "t") {
    shift = 40;
  } else if (!suffix.empty()) {
    return bad();
  }
  if (shift > 0 && number > (UINT64_MAX >> shift)) return bad();
  return number << shift;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace wharf::cache
