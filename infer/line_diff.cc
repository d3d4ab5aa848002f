#include "infer/line_diff.h"

#include <vector>

#include <fmt/format.h>

#include "infer/text.h"

namespace wharf::infer {

std::string line_diff(std::string_view before, std::string_view after, int first_line, std::string_view before_label,
                      std::string_view after_label) {
  const std::vector<std::string_view> a = split_lines(before);
  const std::vector<std::string_view> b = split_lines(after);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  if (prefix == a.size() && prefix == b.size()) return {};
  std::string out = fmt::format("--- {}\n+++ {}\n", before_label, after_label);
  const std::size_t removed = a.size() - prefix - suffix;
  const std::size_t added = b.size() - prefix - suffix;
  out += fmt::format("@@ -{},{} +{},{} @@\n", first_line + static_cast<int>(prefix), removed,
                     first_line + static_cast<int>(prefix), added);
  for (std::size_t i = prefix; i < prefix + removed; ++i) out += fmt::format("-{}\n", a[i]);
  for (std::size_t i = prefix; i < prefix + added; ++i) out += fmt::format("+{}\n", b[i]);
  return out;
}

}  // namespace wharf::infer
