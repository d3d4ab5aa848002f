#include "infer/toml_text.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "graph/environment_reader.h"

namespace wharf::infer {

std::string toml_string(std::string_view text) {
  // Always a basic (double-quoted) string, as people write wharf.toml; UTF-8 kept as it is.
  std::ostringstream out;
  toml::value<std::string> value{std::string(text)};
  out << toml::toml_formatter{value, toml::format_flags::allow_unicode_strings};
  return out.str();
}

std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : toml_string(key);
}

Result<std::vector<std::string>> defined_tables(std::string_view text, std::string_view file) {
  auto table = graph::parse_toml(text, file);
  if (!table) return std::unexpected(table.error());
  std::vector<std::string> out;
  if (table->contains("workspace")) out.push_back("workspace");
  for (const char* kind : {"package", "service"}) {
    const toml::table* components = (*table)[kind].as_table();
    if (!components) continue;
    for (const auto& [name, _] : *components) out.push_back(fmt::format("{}.{}", kind, name.str()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace wharf::infer
