// Asking on the terminal before a deploy to an environment that says
// `confirm = true` (wharf deploy, wharf promote; --yes skips it).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace wharf::cli {

// Lists the services (name, why) on stderr and reads y/N from /dev/tty;
// false when stdin is not a terminal (a script must pass --yes).
bool ask(const std::vector<std::pair<std::string, std::string>>& services, const std::string& environment);

}  // namespace wharf::cli
