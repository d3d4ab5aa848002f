// The part of wharf.toml that `wharf init --write` owns: a block between two
// marker lines. Everything outside it is the user's and is never rewritten;
// a table the user defines outside the block is left out of it.
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace wharf::infer {

inline constexpr std::string_view kBlockBegin =
    "# >>> wharf init: inferred, regenerate with wharf init --write; copy a table out of this block to edit it";
inline constexpr std::string_view kBlockEnd = "# <<< wharf init";

// A wharf.toml text cut at the block's marker lines: before + block + after
// is the text again. `block` runs from the begin marker to the end of the end
// marker's line; without a block, `before` is the whole text.
struct ConfigText {
  std::string before;
  std::string block;
  std::string after;
  bool has_block = false;
};

// ErrorKind::config naming file:line when a begin marker has no end marker,
// or there are two blocks: the file is then left for a person to mend.
Result<ConfigText> split_config(std::string_view text, std::string_view file);

// The text with `block` in place of the old block, or appended (after a
// blank line) when there was none.
std::string join_config(const ConfigText& parts, std::string_view block);

}  // namespace wharf::infer
