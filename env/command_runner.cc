#include "env/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

extern char** environ;

namespace wharf::env {
namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  std::size_t index = 0;
  pid_t pid = -1;
  int out = -1;  // read ends, -1 once at EOF
  int err = -1;
  Clock::time_point kill_at;
};

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// The environment of a child: ours with `extra` set over it.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view item(*entry);
    const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const auto& kv) {
      return item.size() > kv.first.size() && item.starts_with(kv.first) && item[kv.first.size()] == '=';
    });
    if (!replaced) out.emplace_back(item);
  }
  for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
  return out;
}

// Starts one command; fills `result.error` when it cannot.
bool spawn(const CommandSpec& spec, Child& child, CommandResult& result) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    result.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    result.error = std::string("cannot create a pipe: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!spec.directory.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.directory.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A group of its own, so a timeout kills the pipeline's every process;
  // default signal dispositions and an empty mask, as a shell would give.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env_strings = child_environment(spec.env);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string command = spec.command;
  char sh[] = "/bin/sh", dash_c[] = "-c";
  char* argv[] = {sh, dash_c, command.data(), nullptr};
  const int rc = posix_spawn(&child.pid, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    result.error = std::string("cannot run /bin/sh: ") + std::strerror(rc);
    return false;
  }
  child.out = out[0];
  child.err = err[0];
  fcntl(child.out, F_SETFL, O_NONBLOCK);
  fcntl(child.err, F_SETFL, O_NONBLOCK);
  result.started = true;
  return true;
}

// Reads what is there; closes the fd at EOF.
void drain(int& fd, std::string& into) {
  char buffer[8192];
  while (fd >= 0) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, std::min<std::size_t>(static_cast<std::size_t>(n),
                                                kMaxCommandOutput - std::min(into.size(), kMaxCommandOutput)));
    } else if (n == 0) {
      close_fd(fd);
    } else if (errno == EINTR) {
      continue;
    } else {
      if (errno != EAGAIN) close_fd(fd);
      return;
    }
  }
}

void record_status(int status, CommandResult& result) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

std::vector<CommandResult> run_commands(std::span<const CommandSpec> commands, std::size_t max_parallel,
                                        Clock::time_point deadline) {
  std::vector<CommandResult> results(commands.size());
  std::vector<Child> running;
  std::size_t next = 0;
  max_parallel = std::max<std::size_t>(max_parallel, 1);

  auto kill_child = [&](Child& child) {
    kill(-child.pid, SIGKILL);
    close_fd(child.out);
    close_fd(child.err);
    int status = 0;
    while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    results[child.index].timed_out = true;
    record_status(status, results[child.index]);
  };

  while (true) {
    const auto now = Clock::now();
    while (next < commands.size() && running.size() < max_parallel) {
      const std::size_t index = next++;
      if (now >= deadline) {
        results[index].error = "not started before the deadline";
        continue;
      }
      Child child;
      child.index = index;
      child.kill_at = std::min(deadline, now + commands[index].timeout);
      if (spawn(commands[index], child, results[index])) running.push_back(child);
    }
    if (running.empty()) break;

    // Children whose pipes are closed: reap those that exited.
    bool waiting_for_exit = false;
    for (auto it = running.begin(); it != running.end();) {
      if (it->out < 0 && it->err < 0) {
        // Looked at without reaping, so the group still exists (and its id
        // cannot be reused) when what the pipeline left running in the
        // background is killed.
        siginfo_t info{};
        if (waitid(P_PID, static_cast<id_t>(it->pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == it->pid) {
          kill(-it->pid, SIGKILL);
          int status = 0;
          while (waitpid(it->pid, &status, 0) < 0 && errno == EINTR) {
          }
          record_status(status, results[it->index]);
          it = running.erase(it);
          continue;
        }
        waiting_for_exit = true;
      }
      ++it;
    }
    // Timeouts.
    for (auto it = running.begin(); it != running.end();) {
      if (Clock::now() >= it->kill_at) {
        kill_child(*it);
        it = running.erase(it);
      } else {
        ++it;
      }
    }
    if (running.empty() && next >= commands.size()) break;
    if (running.empty()) continue;

    std::vector<pollfd> fds;
    std::vector<std::pair<std::size_t, bool>> owners;  // (child, is stdout)
    Clock::time_point wake = deadline;
    for (std::size_t i = 0; i < running.size(); ++i) {
      wake = std::min(wake, running[i].kill_at);
      if (running[i].out >= 0) {
        fds.push_back({running[i].out, POLLIN, 0});
        owners.emplace_back(i, true);
      }
      if (running[i].err >= 0) {
        fds.push_back({running[i].err, POLLIN, 0});
        owners.emplace_back(i, false);
      }
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count() + 1;
    if (waiting_for_exit) wait_ms = std::min<std::int64_t>(wait_ms, 2);
    wait_ms = std::clamp<std::int64_t>(wait_ms, 0, 1000);
    int ready = poll(fds.data(), fds.size(), static_cast<int>(wait_ms));
    if (ready <= 0) continue;
    for (std::size_t f = 0; f < fds.size(); ++f) {
      if (!fds[f].revents) continue;
      Child& child = running[owners[f].first];
      CommandResult& result = results[child.index];
      if (owners[f].second) {
        drain(child.out, result.out);
      } else {
        drain(child.err, result.err);
      }
    }
  }
  return results;
}

}  // namespace wharf::env
