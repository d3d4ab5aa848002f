#include "tests/testing/health_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace wharf::testing {

HealthServer::HealthServer(const std::string& dir, const std::string& state_json) {
  const std::string state_file = dir + "/health-state.json";
  const std::string port_file = dir + "/health-port";
  std::ofstream(state_file) << state_json;
  std::remove(port_file.c_str());
  const std::string script = source_dir() + "/tests/testing/health_server.py";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    setsid();
    execl("/usr/bin/python3", "python3", script.c_str(), port_file.c_str(), state_file.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 1000; ++i) {
    std::ifstream in(port_file);
    if (in >> port_) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the health server exited at start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("the health server did not start in 10 s");
}

HealthServer::~HealthServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

std::string HealthServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + path;
}

void HealthServer::set(const std::string& service, const std::string& json) const {
  run_command("curl -fsS -o /dev/null -X PUT --data-binary " + shell_quote(json) + " " +
              shell_quote(url("_state/" + service)));
}

std::string HealthServer::stats() const { return run_command("curl -fsS " + shell_quote(url("_stats"))); }

}  // namespace wharf::testing
