// Byte sizes as people write them: "1024", "500K", "500M", "2G", "1T"
// (binary multiples; an optional "B" or "iB" after the letter, any case).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.h"

namespace wharf::cache {

// ErrorKind::usage for anything else (negative, fractional, overflowing).
Result<std::uint64_t> parse_size(std::string_view text);

// "512 B", "1.5 KiB", "2.0 GiB".
std::string format_size(std::uint64_t bytes);

}  // namespace wharf::cache
