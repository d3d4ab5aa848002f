#include "proc/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace wharf::proc {
namespace {

// The environment with `extra` applied (later KEY= wins).
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> values;
  std::vector<std::string> order;
  auto put = [&](const std::string& entry) {
    std::string key = entry.substr(0, entry.find('='));
    if (!values.count(key)) order.push_back(key);
    values[key] = entry;
  };
  for (char** e = environ; e && *e; ++e) put(*e);
  for (const auto& entry : extra) put(entry);
  std::vector<std::string> out;
  out.reserve(order.size());
  for (const auto& key : order) out.push_back(values[key]);
  return out;
}

// Stops the group: SIGTERM, then SIGKILL if it is still there after `grace`.
int stop_group(pid_t pid, std::chrono::milliseconds grace) {
  ::kill(-pid, SIGTERM);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      ::kill(-pid, SIGKILL);  // the shell is gone; its children may not be
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace

std::string ProcessResult::describe() const {
  if (cancelled) return "cancelled";
  if (timed_out) return "timed out";
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exited with {}", exit_code);
}

Result<ProcessResult> run_process(const ProcessSpec& spec, const std::atomic<bool>* cancel) {
  if (spec.argv.empty()) return fail(ErrorKind::usage, "run_process: no command");
  const std::string what = spec.argv.back();
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  const std::string log = spec.log_path.empty() ? "/dev/null" : spec.log_path;
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // Its own process group, so a stop reaches everything the command started;
  // default signal handling, whatever wharf set for itself.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> env = merged_environment(spec.env);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return fail(ErrorKind::io, fmt::format("cannot run `{}`{}: {}", what,
                                           spec.cwd.empty() ? "" : fmt::format(" in {}", spec.cwd), strerror(rc)));
  }

  ProcessResult result;
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  for (auto pause = std::chrono::milliseconds(1);; pause = std::min(pause * 2, std::chrono::milliseconds(20))) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return fail(ErrorKind::io, fmt::format("waitpid: {}", strerror(errno)));
    if (cancel && cancel->load()) {
      result.cancelled = true;
      status = stop_group(pid, std::chrono::seconds(2));
      break;
    }
    if (spec.timeout.count() > 0 && std::chrono::steady_clock::now() - start > spec.timeout) {
      result.timed_out = true;
      status = stop_group(pid, std::chrono::seconds(2));
      break;
    }
    std::this_thread::sleep_for(pause);
  }
  // A background child of the command may still hold the group: stop it,
  // so nothing the command started outlives it.
  ::kill(-pid, SIGKILL);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::string tail_lines(const std::string& path, std::size_t max_lines) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = std::max<std::streamoff>(0, size - 65536);
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::size_t pos = text.size();
  for (std::size_t n = 0; n < max_lines && pos != std::string::npos && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

}  // namespace wharf::proc
