// Hostile --live files through the real binary (issue 12): seeded, so a
// failure reproduces. Each run is a subprocess: a crash or a hang fails this
// test instead of taking the test runner down. Every run must exit 0 or
// with a short "wharf: error: ..." (exit 2 or 3), never by a signal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/git_repo.h"
#include "tests/testing/temp_dir.h"

namespace wharf {
namespace {

using testing::run_command;
using testing::shell_quote;

constexpr unsigned kSeed = 12;  // the issue
constexpr int kFiles = 120;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class LiveFuzz {
 public:
  LiveFuzz(std::string base, std::string head) : base_(std::move(base)), head_(std::move(head)), rng_(kSeed) {}

  // The n-th hostile file (deterministic for a given seed and n).
  std::string Make(int n) {
    switch (n % 8) {
      case 0:
        return Nested();
      case 1:
        return HugeString();
      case 2:
        return RandomBytes();
      case 3:
        return Mutated();
      case 4:
        return R"({"api": )" + Quote(HostileRevision()) + R"(, "web": )" + Quote(HostileRevision()) + "}";
      case 5:
        return HostileNames();
      case 6:
        return WrongTypes();
      default:
        return Truncated();
    }
  }

 private:
  std::size_t Below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  std::string Valid() { return R"({"api": ")" + base_ + R"(", "web": ")" + head_.substr(0, 7) + R"("})"; }

  // JSON string syntax around raw text, escaping only what JSON must.
  static std::string Quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned char>(c));
        out += buffer;
      } else {
        out += c;
      }
    }
    return out + "\"";
  }

  std::string Nested() {
    static const std::size_t kDepths[] = {63, 64, 65, 1000, 100'000};
    std::size_t depth = kDepths[Below(std::size(kDepths))];
    std::string open;
    std::string close;
    for (std::size_t i = 0; i < depth; ++i) {
      bool object = Below(3) == 0;
      open += object ? R"({"k":)" : "[";
      close += object ? '}' : ']';
    }
    std::reverse(close.begin(), close.end());
    if (Below(4) == 0) close.clear();  // never closed
    if (Below(2) == 0) return open + "1" + close;
    return R"({"api": )" + open + Quote(base_) + close + "}";
  }

  std::string HugeString() {
    std::size_t size = Below(4) == 0 ? (std::size_t{10} << 20) : 1 + Below(1 << 16);
    std::string huge(size, static_cast<char>('a' + Below(26)));
    switch (Below(4)) {
      case 0:
        return R"({"api": ")" + huge + R"("})";
      case 1:
        return R"({")" + huge + R"(": ")" + base_ + R"("})";
      case 2:
        return R"({"api": [")" + huge + R"("]})";
      default:
        return R"({"api": ")" + huge + R"(" oops})";
    }
  }

  std::string RandomBytes() {
    std::string out(Below(4096), '\0');
    for (char& c : out) c = static_cast<char>(Below(256));
    if (Below(2) == 0) out = "{" + out;
    return out;
  }

  std::string Mutated() {
    std::string text = Valid();
    for (std::size_t flips = 1 + Below(4); flips > 0; --flips) {
      std::size_t at = Below(text.size());
      switch (Below(3)) {
        case 0:
          text[at] = static_cast<char>(Below(256));
          break;
        case 1:
          text.insert(at, 1, "{}[]\",:\\\0\n"[Below(10)]);
          break;
        default:
          text.erase(at, 1);
      }
    }
    return text;
  }

  std::string Truncated() {
    std::string text = Valid();
    return text.substr(0, Below(text.size()));
  }

  std::string HostileRevision() {
    const std::vector<std::string> revisions = {"no-such-branch",
                                                "main~1000",
                                                "HEAD~100000",
                                                ":/no commit says this",
                                                "HEAD^{tree}",
                                                "HEAD@{1}",
                                                "HEAD@{9999}",
                                                "..",
                                                "-",
                                                "--output=/tmp/x",
                                                "@",
                                                base_ + ".." + head_,
                                                "HEAD\n",
                                                std::string("HE\0AD", 5),
                                                "0123456789abcdef0123456789abcdef01234567",
                                                "dead",
                                                "abc",
                                                "ab",
                                                "0000000",
                                                "refs/heads/main",
                                                "refs/../../etc/passwd",
                                                "HEAD:wharf.toml",
                                                "\xff\xfe",
                                                "😀",
                                                std::string(2000, 'f'),
                                                "HEAD~-1",
                                                "HEAD^^^^^^^^^^^^",
                                                "main@{upstream}",
                                                "HEAD~99999999999999999999999999",
                                                "*",
                                                "[",
                                                "\\",
                                                "\x7f"};
    return revisions[Below(revisions.size())];
  }

  std::string HostileNames() {
    const std::vector<std::string> names = {
        "", "api\n", std::string("a\0pi", 4), std::string(5000, 'n'), "\t", "../x", "api", "😀"};
    std::string text = "{";
    for (std::size_t i = 0, n = 1 + Below(4); i < n; ++i) {
      if (i > 0) text += ", ";
      text += Quote(names[Below(names.size())]) + ": " + Quote(base_);
    }
    return text + "}";
  }

  std::string WrongTypes() {
    const std::vector<std::string> values = {"1",    "-0",          "1e999",       "true",
                                             "null", "{}",          "[]",          R"({"api": "x"})",
                                             "\"\"", R"("\ud800")", R"("\u0000")", "18446744073709551616"};
    return R"({"api": )" + values[Below(values.size())] + "}";
  }

  std::string base_;
  std::string head_;
  std::mt19937 rng_;
};

TEST(LiveFuzzTest, HostileLiveFilesGiveAPlanOrAShortError) {
  testing::GitRepo repo;
  repo.write("wharf.toml", "[service.api]\npaths = [\"api\"]\n\n[service.web]\npaths = [\"web\"]\n");
  repo.write("api/main.c", "int main() { return 0; }\n");
  repo.write("web/index.html", "<p>hi</p>\n");
  std::string base = repo.commit("base");
  repo.write("api/main.c", "int main() { return 1; }\n");
  std::string head = repo.commit("head");

  testing::TempDir scratch;
  const std::string live = scratch.path() + "/live.json";
  const std::string err_file = scratch.path() + "/stderr";
  LiveFuzz fuzz(base, head);
  int errors = 0;
  for (int n = 0; n < kFiles; ++n) {
    const std::string text = fuzz.Make(n);
    std::ofstream(live, std::ios::binary | std::ios::trunc) << text;
    int status = -1;
    // A hang is killed (exit 137): a failure like a crash (128 + signal).
    run_command("cd " + shell_quote(repo.path()) + " && timeout -s KILL 60 " + shell_quote(testing::wharf_binary()) +
                    " plan --json" + (n % 3 == 0 ? " --missing-base=deploy" : "") + " --live " + shell_quote(live) +
                    " >/dev/null 2>" + shell_quote(err_file),
                &status);
    const std::string err = ReadFile(err_file);
    const std::string shown = text.substr(0, 200);
    EXPECT_TRUE(status == 0 || status == 2 || status == 3) << "file " << n << " exit " << status << ": " << shown;
    EXPECT_LT(err.size(), 2000u) << "file " << n << ": " << err.substr(0, 2000);
    if (status != 0) {
      ++errors;
      EXPECT_EQ(err.rfind("wharf: error: ", 0), 0u) << "file " << n << ": " << err.substr(0, 500);
    }
  }
  // Most of these files are broken; a run of all-successes means the
  // generator stopped producing hostile input.
  EXPECT_GT(errors, kFiles / 2);
}

}  // namespace
}  // namespace wharf
