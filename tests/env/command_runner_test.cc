// run_commands with real /bin/sh children.
#include "env/command_runner.h"

#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/process_probe.h"
#include "tests/testing/temp_dir.h"

namespace wharf::env {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

CommandSpec spec(std::string command, std::chrono::milliseconds timeout = 10s) {
  CommandSpec out;
  out.command = std::move(command);
  out.timeout = timeout;
  return out;
}

TEST(CommandRunnerTest, CollectsOutputErrorsAndExitCodesInOrder) {
  std::vector<CommandSpec> commands = {spec("echo one"), spec("echo two >&2; exit 3"), spec("kill -TERM $$")};
  commands.push_back(spec("echo \"$WHARF_SERVICE\""));
  commands.back().env.emplace_back("WHARF_SERVICE", "api");
  auto results = run_commands(commands, 2, Clock::now() + 30s);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].out, "one\n");
  EXPECT_EQ(results[0].exit_code, 0);
  EXPECT_EQ(results[1].err, "two\n");
  EXPECT_EQ(results[1].exit_code, 3);
  EXPECT_EQ(results[2].signal, SIGTERM);
  EXPECT_EQ(results[3].out, "api\n");
}

TEST(CommandRunnerTest, ATimeoutKillsTheWholeProcessGroup) {
  testing::TempDir dir;
  const std::string pid_file = dir.path() + "/pid";
  // The shell waits on a background sleep that holds the pipe: killing only
  // the shell would leave the sleep running.
  auto results = run_commands(std::vector{spec("sleep 30 & echo $! > " + pid_file + "; echo partial; wait", 1500ms)}, 4,
                              Clock::now() + 30s);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].timed_out);
  EXPECT_EQ(results[0].out, "partial\n");
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(testing::stopped_within(pid)) << "the shell's background child " << pid << " outlived it";
}

TEST(CommandRunnerTest, TheDeadlineStopsEverythingStillRunningAndWhatWasNotStarted) {
  std::vector<CommandSpec> commands = {spec("echo fast"), spec("sleep 30"), spec("sleep 30"), spec("echo late")};
  const auto start = Clock::now();
  auto results = run_commands(commands, 2, start + 400ms);
  EXPECT_LT(Clock::now() - start, 10s);  // not the 30 s of the sleeps
  EXPECT_EQ(results[0].out, "fast\n");
  EXPECT_TRUE(results[1].timed_out);
  // Started once "fast" was done and killed at the deadline, or (on a slow
  // machine) not started before it.
  EXPECT_TRUE(results[2].timed_out || !results[2].started);
  EXPECT_FALSE(results[3].started);
  EXPECT_EQ(results[3].error, "not started before the deadline");
}

TEST(CommandRunnerTest, OutputIsCappedAndRunsInTheGivenDirectory) {
  testing::TempDir dir;
  std::vector<CommandSpec> commands = {spec("head -c 200000 /dev/zero"), spec("pwd")};
  commands[1].directory = dir.path();
  auto results = run_commands(commands, 2, Clock::now() + 30s);
  EXPECT_EQ(results[0].out.size(), kMaxCommandOutput);
  EXPECT_EQ(results[0].exit_code, 0);
  EXPECT_EQ(results[1].out, dir.path() + "\n");
}

}  // namespace
}  // namespace wharf::env
