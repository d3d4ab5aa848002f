#include "packer/compressed_names.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace wharf::packer {

bool looks_compressed(std::string_view name) {
  static constexpr std::array<std::string_view, 24> kExtensions = {
      "7z",  "avif", "br",  "bz2", "gif",  "gz",   "heic", "jar",  "jpeg",  "jpg", "lz4", "mp3",
      "mp4", "png",  "tgz", "war", "webm", "webp", "whl",  "woff", "woff2", "xz",  "zip", "zst"};
  std::size_t dot = name.rfind('.');
  std::size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return false;
  std::string extension(name.substr(dot + 1));
  if (extension.size() > 5) return false;
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::binary_search(kExtensions.begin(), kExtensions.end(), std::string_view(extension));
}

}  // namespace wharf::packer
