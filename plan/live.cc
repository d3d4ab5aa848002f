#include "plan/live.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/text.h"

namespace wharf::plan {
namespace {

// How much of a name, value or parser message goes into an error.

// The byte offset of the first '[' or '{' nested deeper than kLiveMaxDepth.
// Checked before parsing: the parser itself is iterative, but printing or
// walking such a value is not, and a live file has no use for nesting.
std::optional<std::size_t> too_deep(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kLiveMaxDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// What is wrong with a service name or revision, or "" when nothing.
std::string text_problem(std::string_view text) {
  if (text.empty()) return "is empty";
  if (text.size() > kLiveMaxText) return fmt::format("is longer than {} bytes", kLiveMaxText);
  if (find_control_char(text)) return "holds a control character";
  return "";
}

}  // namespace

Result<LiveShas> parse_live(std::string_view text, std::string_view file) {
  if (auto at = too_deep(text)) {
    return fail(ErrorKind::config,
                fmt::format("{}: nested deeper than {} levels (byte {}); expected a flat JSON object of service name "
                            "-> git SHA, like {{\"api\": \"d99f8e8\"}}",
                            file, kLiveMaxDepth, *at));
  }
  // Keys of the top-level object as the parser meets them: a service named
  // twice would otherwise silently keep its last SHA.
  std::set<std::string> seen;
  std::optional<std::string> twice;
  auto note_keys = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed.is_string() && !twice) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second) twice = key;
    }
    return true;
  };
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text, note_keys);
  } catch (const nlohmann::json::parse_error& e) {
    // The parser's message quotes the last token read, which can be the
    // whole file.
    return fail(ErrorKind::config, fmt::format("{}: not valid JSON (byte {}): {}", file, e.byte, printable(e.what())));
  }
  if (!json.is_object()) {
    return fail(
        ErrorKind::config,
        fmt::format("{}: expected a JSON object of service name -> git SHA, like {{\"api\": \"d99f8e8\"}}", file));
  }
  if (twice) {
    return fail(ErrorKind::config, fmt::format("{}: service '{}' is listed twice; give each service one live SHA", file,
                                               printable(*twice)));
  }
  LiveShas live;
  for (const auto& [name, value] : json.items()) {
    if (std::string problem = text_problem(name); !problem.empty()) {
      return fail(ErrorKind::config, fmt::format("{}: the service name '{}' {}", file, printable(name), problem));
    }
    if (!value.is_string()) {
      return fail(ErrorKind::config,
                  fmt::format("{}: service '{}': the live version must be a non-empty string (a git SHA), got {}", file,
                              printable(name),
                              printable(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))));
    }
    const auto& rev = value.get_ref<const std::string&>();
    if (std::string problem = text_problem(rev); !problem.empty()) {
      return fail(ErrorKind::config, fmt::format("{}: service '{}': the live version '{}' {}; expected a git SHA", file,
                                                 printable(name), printable(rev), problem));
    }
    live.emplace(name, rev);
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
