// Hostile configs through the real binary: the sample monorepo's wharf.toml,
// mutated at random (seeded), read by `wharf graph` and `wharf hash`. Each
// run must end by itself with 0 or a clear error (exit 2 or 3 and a
// "wharf: error:" line), never a signal or a timeout. Found before: a NUL in
// a path made `wharf hash` recurse without end (4.9 GB, SIGSEGV).
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

constexpr int kCases = 500;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// One random change to a config's text.
class Mutator {
 public:
  explicit Mutator(unsigned seed) : rng_(seed) {}

  std::string mutate(std::string text) {
    const int changes = 1 + pick(3);
    for (int i = 0; i < changes && !text.empty(); ++i) text = mutate_once(std::move(text));
    return text;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::size_t at(const std::string& text) { return static_cast<std::size_t>(pick(static_cast<int>(text.size()))); }

  // A string inside quotes, where one exists: its first byte.
  std::size_t inside_a_string(const std::string& text) {
    for (int tries = 0; tries < 20; ++tries) {
      std::size_t quote = text.find('"', at(text));
      if (quote != std::string::npos && quote + 1 < text.size()) return quote + 1;
    }
    return at(text);
  }

  std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  static std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += part + "\n";
    return out;
  }

  std::string mutate_once(std::string text) {
    static const char* const kHostile[] = {
        "\\u0000",       "\\u0001",  "\\n",    "\\u007f",   "..",    "/etc",       "**",  "../..",
        "a\\u0000b/",    "[",        "\\\\",   "*/**/*",    "\\t",   "services/auth\\u0000x",
        "\\uffff",       "\\r\\n",   "\"\"",   "{}",
    };
    switch (pick(9)) {
      case 0:  // a byte flipped to anything
        text[at(text)] = static_cast<char>(pick(256));
        return text;
      case 1: {  // a raw control character inside a string
        text.insert(inside_a_string(text), 1, static_cast<char>(pick(32)));
        return text;
      }
      case 2:  // an escape or path fragment inside a string
        text.insert(inside_a_string(text), kHostile[pick(std::size(kHostile))]);
        return text;
      case 3: {  // a line removed
        auto parts = lines(text);
        if (!parts.empty()) parts.erase(parts.begin() + pick(static_cast<int>(parts.size())));
        return joined(parts);
      }
      case 4: {  // a line repeated (a key or table twice)
        auto parts = lines(text);
        if (!parts.empty()) {
          auto line = parts[static_cast<std::size_t>(pick(static_cast<int>(parts.size())))];
          parts.insert(parts.begin() + pick(static_cast<int>(parts.size())), line);
        }
        return joined(parts);
      }
      case 5:  // a very long string
        text.insert(inside_a_string(text), std::string(static_cast<std::size_t>(1 + pick(200000)), 'a'));
        return text;
      case 6: {  // a table with a hostile name
        const char* names[] = {"\"\"", "\"a\\nb\"", "\"a\\u0000b\"", "\"..\"", "\"-x\"", "\"a b\"", "\"x/y\""};
        text += std::string("\n[") + (pick(2) ? "service." : "package.") + names[pick(std::size(names))] +
                "]\npaths = [\"services/auth\"]\n";
        return text;
      }
      case 7: {  // deep nesting
        const int depth = 1 + pick(5000);
        text += "\n[workspace2]\nx = " + std::string(static_cast<std::size_t>(depth), '[') +
                std::string(static_cast<std::size_t>(depth), ']') + "\n";
        return text;
      }
      default: {  // a chunk cut out
        std::size_t from = at(text);
        text.erase(from, static_cast<std::size_t>(pick(200)));
        return text;
      }
    }
  }

  std::mt19937 rng_;
};

TEST(ConfigFuzzTest, MutatedConfigsEndWithAPlanOrAClearError) {
  testing::TempDir dir;
  const std::string repo = dir.path() + "/repo";
  run_command("bash " + shell_quote(testing::source_dir() + "/examples/make-sample-repo.sh") + " " +
              shell_quote(repo) + " >/dev/null");
  const std::string original = read_file(repo + "/wharf.toml");
  ASSERT_FALSE(original.empty());
  const std::string config = dir.path() + "/fuzz.toml";
  const std::string err_file = dir.path() + "/stderr";
  const std::string base = "cd " + shell_quote(repo) + " && timeout -s KILL 20 " +
                           shell_quote(testing::wharf_binary()) + " --config " + shell_quote(config) +
                           " --cache-dir " + shell_quote(dir.path() + "/cache") + " ";

  int accepted = 0;
  int rejected = 0;
  for (int c = 0; c < kCases; ++c) {
    Mutator mutator(static_cast<unsigned>(7000 + c));
    const std::string text = mutator.mutate(original);
    {
      std::ofstream out(config, std::ios::binary | std::ios::trunc);
      out << text;
    }
    for (const char* command : {"graph --format json", "hash"}) {
      int status = -1;
      run_command(base + command + " >/dev/null 2>" + shell_quote(err_file), &status);
      const std::string err = read_file(err_file);
      SCOPED_TRACE(::testing::Message() << "case " << c << " (seed " << 7000 + c << "), wharf " << command
                                        << ", config kept in " << config << "\nstderr: " << err.substr(0, 400));
      // run_command's status: the exit code, or 128+signal for a signal
      // (timeout -s KILL: 137).
      ASSERT_TRUE(status == 0 || status == 2 || status == 3) << "exit status " << status;
      if (status != 0) {
        EXPECT_NE(err.find("wharf: error: "), std::string::npos);
        EXPECT_LT(err.size(), 64u * 1024) << "an error message should stay readable";
      }
      if (std::string(command).starts_with("graph")) (status == 0 ? accepted : rejected)++;
    }
  }
  // The mutations reach both sides: configs that are still valid, and errors.
  EXPECT_GT(accepted, kCases / 20);
  EXPECT_GT(rejected, kCases / 5);
}

}  // namespace
}  // namespace wharf
