// Runs the real `wharf` binary in a child process and reports how it ended,
// so that a crash (a signal) is a test failure, not a crash of the test
// runner, and a hang is cut off. Safe to call from several threads at once.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace wharf::testing {

struct Finished {
  int code = -1;   // exit code, when it exited
  int signal = 0;  // the signal that ended it, if any
  bool timed_out = false;
  std::string out;
  std::string err;

  bool failed_cleanly() const { return signal == 0 && !timed_out && code != 0; }
  std::string describe() const {
    return fmt::format("exit {} signal {}{}; stderr: {}", code, signal, timed_out ? " (timed out)" : "", err);
  }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts `binary args...` in `cwd`, its stdout and stderr going to
// <output_prefix>.out/.err. Returns the pid (-1 if fork failed).
inline pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& cwd,
                   const std::string& output_prefix) {
  // Everything the child needs is built before fork: only async-signal-safe
  // calls run between fork and exec (the test runner may have threads).
  std::vector<std::string> owned{binary};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : owned) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string out = output_prefix + ".out";
  std::string err = output_prefix + ".err";
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out_fd < 0 || err_fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// Waits for `pid`, killing it after `timeout`.
inline Finished wait_for(pid_t pid, const std::string& output_prefix,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  Finished done;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0) return done;
    if (std::chrono::steady_clock::now() > deadline) {
      done.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFEXITED(status)) done.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) done.signal = WTERMSIG(status);
  done.out = slurp(output_prefix + ".out");
  done.err = slurp(output_prefix + ".err");
  return done;
}

inline Finished run_binary(const std::string& binary, const std::vector<std::string>& args, const std::string& cwd,
                           const std::string& output_prefix) {
  pid_t pid = spawn(binary, args, cwd, output_prefix);
  if (pid < 0) return Finished{};
  return wait_for(pid, output_prefix);
}

}  // namespace wharf::testing
