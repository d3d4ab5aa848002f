#include "infer/read_file.h"

namespace wharf::infer {

std::optional<std::string> read_file(const fs::SourceTree& tree, std::string_view path, Warnings& warnings) {
  auto read = tree.read(path);
  if (!read) {
    warnings.add(path, 0, fmt::format("cannot be read ({}); left out", read.error().message));
    return std::nullopt;
  }
  return std::move(*read);
}

}  // namespace wharf::infer
