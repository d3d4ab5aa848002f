#include "cli/confirm.h"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include <fmt/format.h>

namespace wharf::cli {

// `confirm = true`: show what would go and ask on the terminal.
bool ask(const std::vector<std::pair<std::string, std::string>>& services, const std::string& environment) {
  std::ifstream tty("/dev/tty");
  if (!::isatty(STDIN_FILENO) || !tty) return false;
  std::cerr << fmt::format("deploy to {}:\n", environment);
  for (const auto& [name, why] : services) std::cerr << fmt::format("  {}  ({})\n", name, why);
  std::cerr << fmt::format("{} is protected (confirm = true). Deploy? [y/N] ", environment);
  std::string answer;
  std::getline(tty, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace wharf::cli
