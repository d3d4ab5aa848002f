// A temporary directory beside an output (same file system, so the finished
// result is renamed into place, never copied), removed unless released.
#pragma once

#include <string>

#include "util/error.h"

namespace wharf::packer {

class ScratchDir {
 public:
  // Creates `out` + `suffix` + a unique tail, mode 0755, and out's parent
  // if missing. ErrorKind::io naming `out` when it cannot.
  static Result<ScratchDir> beside(const std::string& out, const std::string& suffix);
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();  // removes the directory and what is in it, unless released

  const std::string& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace wharf::packer
