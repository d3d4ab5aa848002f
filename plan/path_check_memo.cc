#include "plan/path_check_memo.h"

#include <charconv>

#include <fmt/format.h>
#include <xxhash.h>

namespace wharf::plan {
namespace {

// Bump when the list of checked patterns is built differently: the indices
// would then mean other patterns.
constexpr std::string_view kFormat = "wharf-path-check/1";

std::string checksum(std::string_view body) { return fmt::format("{:016x}", XXH3_64bits(body.data(), body.size())); }

}  // namespace

std::string FilePathCheckMemo::encode(const vcs::ObjectId& tree, const UnmatchedPatterns& unmatched) const {
  std::string body = fmt::format("{}\n{}\n{}\n{}\n", kFormat, digest_, tree.hex(), unmatched.size());
  for (std::uint32_t index : unmatched) body += fmt::format("{}\n", index);
  return body + checksum(body) + "\n";
}

std::optional<UnmatchedPatterns> FilePathCheckMemo::recall(const vcs::ObjectId& tree) {
  auto text = files_.read_file(path_);
  if (!text) return std::nullopt;
  std::string_view all = *text;
  // The last line is the checksum of everything before it.
  if (all.size() < 18 || all.back() != '\n') return std::nullopt;
  std::string_view body = all.substr(0, all.size() - 17);
  if (all.substr(all.size() - 17, 16) != checksum(body)) return std::nullopt;
  std::string_view rest = body;
  auto line = [&rest]() -> std::optional<std::string_view> {
    std::size_t end = rest.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view out = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    return out;
  };
  auto number = [&]() -> std::optional<std::uint32_t> {
    auto digits = line();
    std::uint32_t value = 0;
    if (!digits || digits->empty()) return std::nullopt;
    auto [end, error] = std::from_chars(digits->data(), digits->data() + digits->size(), value);
    if (error != std::errc() || end != digits->data() + digits->size()) return std::nullopt;
    return value;
  };
  if (line() != kFormat || line() != std::string_view(digest_) || line() != std::string_view(tree.hex())) {
    return std::nullopt;
  }
  auto count = number();
  if (!count) return std::nullopt;
  UnmatchedPatterns unmatched;
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto index = number();
    if (!index) return std::nullopt;
    unmatched.push_back(*index);
  }
  if (!rest.empty()) return std::nullopt;
  return unmatched;
}

void FilePathCheckMemo::remember(const vcs::ObjectId& tree, const UnmatchedPatterns& unmatched) {
  (void)files_.write_file_atomic(path_, encode(tree, unmatched), fs::Sync::none);
}

}  // namespace wharf::plan
