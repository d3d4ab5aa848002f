#include "packer/pack_time.h"

#include <fmt/format.h>
#include <charconv>
#include <cstring>
#include <ctime>

namespace wharf::packer {
namespace {

std::tm utc(std::int64_t epoch) {
  std::time_t seconds = static_cast<std::time_t>(epoch);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return parts;
}

}  // namespace

std::int64_t epoch_from_source_date_epoch(const char* value) {
  if (value == nullptr || *value == '\0') return kDefaultEpoch;
  std::int64_t epoch = 0;
  const char* end = value + std::strlen(value);
  auto [ptr, ec] = std::from_chars(value, end, epoch);
  if (ec != std::errc() || ptr != end || epoch < 0) return kDefaultEpoch;
  return epoch;
}

DosTime dos_time(std::int64_t epoch) {
  constexpr std::int64_t kLast = 4354819198;  // 2107-12-31T23:59:58Z
  if (epoch < kDefaultEpoch) epoch = kDefaultEpoch;
  if (epoch > kLast) epoch = kLast;
  std::tm parts = utc(epoch);
  DosTime out;
  out.time = static_cast<std::uint16_t>((parts.tm_hour << 11) | (parts.tm_min << 5) | (parts.tm_sec / 2));
  out.date = static_cast<std::uint16_t>(((parts.tm_year - 80) << 9) | ((parts.tm_mon + 1) << 5) | parts.tm_mday);
  return out;
}

std::string rfc3339(std::int64_t epoch) {
  std::tm parts = utc(epoch);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                     parts.tm_hour, parts.tm_min, parts.tm_sec);
}

}  // namespace wharf::packer
