// File names whose contents are already compressed, so deflating them only
// burns time (the zip stores them).
#pragma once

#include <string_view>

namespace wharf::packer {

bool looks_compressed(std::string_view name);

}  // namespace wharf::packer
