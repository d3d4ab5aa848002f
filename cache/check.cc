#include "cache/check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace wharf::cache {
namespace {

// The child: verify and report on `fd`; the exit code says sound (0) or not.
[[noreturn]] void run_check(const std::string& db_dir, const EnvOptions& options, int fd) {
  std::string report;
  int code = 1;
  auto env = LmdbEnv::open(db_dir, options);
  if (!env) {
    report = env.error().message;
  } else if (auto checked = (*env)->verify(); !checked) {
    report = checked.error().message;
  } else {
    report = fmt::format("{} records verified", *checked);
    code = 0;
  }
  for (std::string_view rest = report; !rest.empty();) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n <= 0) break;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  // _exit: no destructors or atexit handlers of the parent's state run twice.
  ::_exit(code);
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return fmt::format("the check died of signal {}", WTERMSIG(status));
  return fmt::format("the check exited with {}", WEXITSTATUS(status));
}

}  // namespace

CheckOutcome check_in_child(const std::string& db_dir, const EnvOptions& options, int timeout_ms) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {false, fmt::format("cannot check: pipe: {}", std::strerror(errno))};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {false, fmt::format("cannot check: fork: {}", std::strerror(errno))};
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_check(db_dir, options, fds[1]);
  }
  ::close(fds[1]);
  std::string report;
  bool timed_out = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = true;
      break;
    }
    char buffer[512];
    ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done
    report.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return {false, fmt::format("the check took longer than {} ms", timeout_ms)};
  bool sound = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (report.empty()) report = describe(status);
  return {sound, report};
}

}  // namespace wharf::cache
