#include "infer/block.h"

#include <fmt/format.h>

namespace wharf::infer {
namespace {

// The markers are matched by their stable prefix, so a reworded comment
// after it still counts.
constexpr std::string_view kBeginPrefix = "# >>> wharf init";

}  // namespace

Result<ConfigText> split_config(std::string_view text, std::string_view file) {
  ConfigText out;
  std::size_t begin = std::string_view::npos;
  int begin_line = 0;
  std::size_t end = std::string_view::npos;
  int line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t nl = text.find('\n', start);
    std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(start, next - start);
    ++line_no;
    if (line.starts_with(kBeginPrefix)) {
      if (begin != std::string_view::npos) {
        return fail(ErrorKind::config,
                    fmt::format("{}:{}: a second `wharf init` block (the first begins at line {}); keep one",
                                file, line_no, begin_line));
      }
      begin = start;
      begin_line = line_no;
    } else if (line.starts_with(kBlockEnd) && begin != std::string_view::npos && end == std::string_view::npos) {
      end = next;
    }
    start = next;
  }
  if (begin == std::string_view::npos) {
    out.before = std::string(text);
    return out;
  }
  if (end == std::string_view::npos) {
    return fail(ErrorKind::config,
                fmt::format("{}:{}: the `wharf init` block begun here has no end line `{}`; put it back (or delete "
                            "the block) and run wharf init --write again",
                            file, begin_line, kBlockEnd));
  }
  out.has_block = true;
  out.before = std::string(text.substr(0, begin));
  out.block = std::string(text.substr(begin, end - begin));
  out.after = std::string(text.substr(end));
  return out;
}

std::string join_config(const ConfigText& parts, std::string_view block) {
  if (parts.has_block) return parts.before + std::string(block) + parts.after;
  std::string out = parts.before;
  if (!out.empty()) {
    if (out.back() != '\n') out += '\n';
    out += '\n';
  }
  out += block;
  return out;
}

}  // namespace wharf::infer
