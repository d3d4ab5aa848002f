// Real processes: exit codes, the log, the working directory and
// environment, and that a timeout or a cancel stops the whole group (a
// shell's background child too).
#include "proc/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/testing/assert_result.h"
#include "tests/testing/process_probe.h"
#include "tests/testing/temp_dir.h"

namespace wharf::proc {
namespace {

using testing::run_command;
using testing::shell_quote;

ProcessSpec shell(const std::string& script, const std::string& log) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.log_path = log;
  return spec;
}

TEST(ProcessTest, ReportsTheExitCodeAndWritesBothStreamsToTheLog) {
  testing::TempDir dir;
  const std::string log = dir.path() + "/log";
  auto spec = shell("echo out; echo err >&2; pwd; echo \"$WHARF_X\"; exit 3", log);
  spec.cwd = dir.path();
  spec.env = {"WHARF_X=from-spec"};
  auto result = testing::value_or_throw(run_process(spec), "run");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.describe(), "exited with 3");
  EXPECT_EQ(run_command("cat " + shell_quote(log)), "out\nerr\n" + dir.path() + "\nfrom-spec\n");
  EXPECT_EQ(tail_lines(log, 2), dir.path() + "\nfrom-spec");
  auto ok = testing::value_or_throw(run_process(shell("true", log)), "true");
  EXPECT_TRUE(ok.ok());
}

TEST(ProcessTest, AMissingProgramOrDirectoryIsAnErrorNamingIt) {
  ProcessSpec spec;
  spec.argv = {"/no/such/program"};
  auto missing = run_process(spec);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("/no/such/program"), std::string::npos);
  auto bad_dir = shell("true", "");
  bad_dir.cwd = "/no/such/dir";
  auto result = run_process(bad_dir);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("/no/such/dir"), std::string::npos);
}

TEST(ProcessTest, ATimeoutStopsTheWholeGroup) {
  testing::TempDir dir;
  const std::string pids = dir.path() + "/pids";
  auto spec = shell("sleep 30 & echo $! > " + shell_quote(pids) + "; wait", dir.path() + "/log");
  spec.timeout = std::chrono::milliseconds(300);
  auto result = testing::value_or_throw(run_process(spec), "run");
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.describe(), "timed out");
  const int child = std::stoi(run_command("cat " + shell_quote(pids)));
  ASSERT_GT(child, 0);
  EXPECT_TRUE(testing::stopped_within(child)) << "the shell's background child " << child << " outlived it";
}

TEST(ProcessTest, ACancelStopsTheCommand) {
  testing::TempDir dir;
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  auto started = std::chrono::steady_clock::now();
  auto result = testing::value_or_throw(run_process(shell("sleep 30", ""), &cancel), "run");
  canceller.join();
  EXPECT_TRUE(result.cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));  // not 30 s; not a speed bar
}

}  // namespace
}  // namespace wharf::proc
