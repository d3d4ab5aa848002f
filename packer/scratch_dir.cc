#include "packer/scratch_dir.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace wharf::packer {

Result<ScratchDir> ScratchDir::beside(const std::string& out, const std::string& suffix) {
  std::string parent = std::filesystem::path(out).parent_path().string();
  std::error_code error;
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  std::string temp = out + suffix + "XXXXXX";
  if (::mkdtemp(temp.data()) == nullptr) {
    return fail(ErrorKind::io, fmt::format("cannot create a directory beside {}: {}", out, std::strerror(errno)));
  }
  ::chmod(temp.c_str(), 0755);  // mkdtemp makes it 0700
  return ScratchDir(std::move(temp));
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

}  // namespace wharf::packer
