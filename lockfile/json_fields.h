// Reading fields of nlohmann JSON objects without exceptions: a field of the
// wrong type reads as absent (json::value() would throw).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace wharf::lockfile::detail {

inline std::string string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline bool bool_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace wharf::lockfile::detail
