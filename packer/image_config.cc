#include "packer/image_config.h"

#include <fmt/format.h>

#include "util/text.h"

namespace wharf::packer {

Result<Platform> parse_platform(const std::string& text) {
  std::vector<std::string> parts = split_list(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || text.find("//") != std::string::npos) {
    return fail(ErrorKind::config,
                fmt::format("platform \"{}\": expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/amd64", text));
  }
  return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
}

}  // namespace wharf::packer
