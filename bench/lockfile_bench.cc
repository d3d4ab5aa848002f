// Lockfile parsing and closures, for bench/lockfile_bench.sh:
//   wharf_lockfile_bench BEFORE AFTER [--runs N] [--whole]
// BEFORE and AFTER are two versions of one pnpm-lock.yaml (the bench's
// generator bumps one dependency). Each run parses both with one Parser, as a
// plan does at a service's base and head: together (Parser::parse_all) and,
// with a fresh Parser, one after the other (parse_first_ms is the first of
// those); then computes every importer's closure in both and counts the
// importers whose closure changed. Prints the best and mean of the runs as
// one JSON line. --whole: parse each text whole (no groups, nothing shared).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lockfile/lockfile.h"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool read(const char* path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: wharf_lockfile_bench BEFORE AFTER [--runs N] [--whole]\n");
    return 2;
  }
  int runs = 10;
  bool whole = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--whole") == 0) {
      whole = true;
    }
  }
  std::string before_text, after_text;
  if (!read(argv[1], before_text) || !read(argv[2], after_text)) {
    std::fprintf(stderr, "error: cannot read %s or %s\n", argv[1], argv[2]);
    return 2;
  }
  using namespace wharf::lockfile;
  wharf::fs::MemorySourceTree tree;
  std::vector<double> parse_ms, together_ms, first_ms, closure_ms;
  std::size_t changed = 0, importer_count = 0, packages = 0, shared = 0, parsed = 0;
  for (int run = 0; run < runs; ++run) {
    {
      auto start = Clock::now();
      Parser parser(whole ? PnpmStrategy::whole_document : PnpmStrategy::grouped);
      Parser::Input inputs[] = {{"pnpm-lock.yaml", before_text, &tree}, {"pnpm-lock.yaml", after_text, &tree}};
      auto both = parser.parse_all(inputs);
      together_ms.push_back(ms_since(start));
      if (!both[0] || !both[1]) {
        std::fprintf(stderr, "error: %s\n", (!both[0] ? both[0].error() : both[1].error()).message.c_str());
        return 1;
      }
    }
    auto start = Clock::now();
    Parser parser(whole ? PnpmStrategy::whole_document : PnpmStrategy::grouped);
    auto before = parser.parse("pnpm-lock.yaml", before_text, tree);
    first_ms.push_back(ms_since(start));
    auto after = parser.parse("pnpm-lock.yaml", after_text, tree);
    parse_ms.push_back(ms_since(start));
    if (!before || !after) {
      std::fprintf(stderr, "error: %s\n", (!before ? before.error() : after.error()).message.c_str());
      return 1;
    }
    shared = parser.stats().groups_shared;
    if (run == runs - 1) {
      std::fprintf(stderr, "last run: split %.2f ms, groups %.2f ms, assemble %.2f ms\n", parser.stats().split_ms,
                   parser.stats().groups_ms, parser.stats().assemble_ms);
    }
    parsed = parser.stats().groups_parsed;
    start = Clock::now();
    ClosureIndex a(*before), b(*after);
    changed = 0;
    std::vector<std::string> dirs = importers(*after);
    for (const std::string& dir : dirs) {
      std::span<const std::string> one(&dir, 1);
      Closure ca = a.closure(one), cb = b.closure(one);
      if (ca.digest != cb.digest) {
        if (++changed == 1 && run == 0) {
          std::fprintf(stderr, "%s: %s\n", dir.c_str(), describe_changes(*before, ca, *after, cb).c_str());
        }
      }
    }
    closure_ms.push_back(ms_since(start));
    importer_count = dirs.size();
    packages = after->packages.size();
  }
  auto best = [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); };
  auto mean = [](const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  };
  std::printf(
      "{\"runs\": %d, \"parse_together_ms_best\": %.2f, \"parse_together_ms_mean\": %.2f, "
      "\"parse_both_ms_best\": %.2f, \"parse_both_ms_mean\": %.2f, \"parse_first_ms_best\": %.2f, "
      "\"closures_ms_best\": %.2f, \"closures_ms_mean\": %.2f, \"importers\": %zu, \"packages\": %zu, "
      "\"importers_changed\": %zu, \"groups_parsed\": %zu, \"groups_shared\": %zu}\n",
      runs, best(together_ms), mean(together_ms), best(parse_ms), mean(parse_ms), best(first_ms), best(closure_ms), mean(closure_ms), importer_count,
      packages, changed, parsed, shared);
  return 0;
}
