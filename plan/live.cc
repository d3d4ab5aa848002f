#include "plan/live.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wharf::plan {

Result<LiveShas> parse_live(std::string_view text, std::string_view file) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(ErrorKind::config, fmt::format("{}: not valid JSON (byte {}): {}", file, e.byte, e.what()));
  }
  if (!json.is_object()) {
    return fail(
        ErrorKind::config,
        fmt::format("{}: expected a JSON object of service name -> git SHA, like {{\"api\": \"d99f8e8\"}}", file));
  }
  LiveShas live;
  for (const auto& [name, value] : json.items()) {
    if (!value.is_string() || value.get<std::string>().empty()) {
      return fail(ErrorKind::config,
                  fmt::format("{}: service '{}': the live version must be a non-empty string (a git SHA), got {}", file,
                              name, value.dump()));
    }
    live.emplace(name, value.get<std::string>());
  }
  return live;
}

Result<LiveShas> load_live(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::config, fmt::format("{}: cannot read the --live file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_live(buffer.str(), path);
}

}  // namespace wharf::plan
