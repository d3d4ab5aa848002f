// Running a command as its own process group, for build commands (and the
// environment and deploy commands that come later): output to a log file,
// a timeout, and cancellation that stops the whole group (a shell's
// children too), so Ctrl-C never leaves a build running behind wharf.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "util/error.h"

namespace wharf::proc {

struct ProcessSpec {
  std::vector<std::string> argv;         // argv[0] is looked up in PATH
  std::string cwd;                       // empty: wharf's own
  std::vector<std::string> env;          // "KEY=VALUE" set on top of wharf's environment
  std::string log_path;                  // stdout and stderr go here (truncated first); empty: /dev/null
  std::chrono::milliseconds timeout{0};  // 0: none
};

struct ProcessResult {
  int exit_code = 0;       // when it exited
  int signal = 0;          // when a signal ended it
  bool timed_out = false;  // wharf stopped it: the timeout passed
  bool cancelled = false;  // wharf stopped it: `cancel` was set
  bool ok() const { return exit_code == 0 && signal == 0 && !timed_out && !cancelled; }
  std::string describe() const;  // "exited with 2", "killed by signal 9", "timed out", "cancelled"
};

// Starts the command in a new process group and waits for it. When `cancel`
// becomes true or the timeout passes, the group gets SIGTERM and, 2 s later,
// SIGKILL. ErrorKind::io when it cannot be started (no such program, the
// log cannot be opened, a bad cwd), naming the command.
Result<ProcessResult> run_process(const ProcessSpec& spec, const std::atomic<bool>* cancel = nullptr);

// The last `max_lines` lines of a file (at most 64 KiB read), for messages.
std::string tail_lines(const std::string& path, std::size_t max_lines);

}  // namespace wharf::proc
