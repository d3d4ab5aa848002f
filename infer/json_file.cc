#include "infer/json_file.h"

#include "infer/paths.h"

namespace wharf::infer {

std::optional<nlohmann::json> read_json(std::string_view text, std::string_view file, Warnings& warnings) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte at which parsing failed.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." -> from "syntax error".
    if (std::size_t colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    warnings.add(file, line_of_offset(text, offset), fmt::format("not valid JSON ({}); the file is skipped", what));
  }
  return std::nullopt;
}

}  // namespace wharf::infer
