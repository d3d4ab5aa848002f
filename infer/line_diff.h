// What `wharf init --check` shows when the block differs: the lines that
// differ, as a unified diff's single hunk (the common lines at the start and
// end left out, everything between shown as removed and added).
#pragma once

#include <string>
#include <string_view>

namespace wharf::infer {

// `first_line` is the line number of `before`'s first line in its file.
std::string line_diff(std::string_view before, std::string_view after, int first_line, std::string_view before_label,
                      std::string_view after_label);

}  // namespace wharf::infer
