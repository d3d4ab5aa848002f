// The one timestamp every packed entry and image carries. The library never
// reads SOURCE_DATE_EPOCH itself: the caller passes it in (so two packs in one
// process can differ, and tests need no environment).
#pragma once

#include <cstdint>
#include <string>

namespace wharf::packer {

// 1980-01-01T00:00:00Z: the earliest time a zip (MS-DOS) timestamp can hold,
// so the same constant means the same instant in zips, tars and image configs.
inline constexpr std::int64_t kDefaultEpoch = 315532800;

// SOURCE_DATE_EPOCH's value when it is a non-negative integer, else
// kDefaultEpoch. For the caller (the CLI), which owns the environment.
std::int64_t epoch_from_source_date_epoch(const char* value);

// MS-DOS date and time fields (UTC, 2-second resolution, clamped to
// 1980..2107) as zip headers store them.
struct DosTime {
  std::uint16_t time = 0;
  std::uint16_t date = 0;
};
DosTime dos_time(std::int64_t epoch);

// RFC 3339 in UTC, "1980-01-01T00:00:00Z", for OCI `created`.
std::string rfc3339(std::int64_t epoch);

}  // namespace wharf::packer
