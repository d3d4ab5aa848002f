// Reading the --json reports of the end-to-end tests.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace wharf::testing {

// The entry of `services` named `name` (build, deploy and promote reports).
inline const nlohmann::json& service_in(const nlohmann::json& report, const std::string& name) {
  for (const nlohmann::json& s : report.at("services")) {
    if (s.at("name") == name) return s;
  }
  throw std::runtime_error("no service " + name + " in " + report.dump());
}

}  // namespace wharf::testing
