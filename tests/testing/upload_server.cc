#include "tests/testing/upload_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace wharf::testing {
namespace {

// Starts argv in its own session; the child's PID.
pid_t spawn(const std::vector<std::string>& argv, const std::string& output) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    if (!output.empty()) {
      if (FILE* out = std::freopen(output.c_str(), "w", stdout)) dup2(fileno(out), 2);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

bool exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

// A port nothing listens on now (nginx cannot bind port 0): bound, read
// and closed. Another process could take it meanwhile; none does in tests.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

bool accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

std::string local_url(int port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + "/" + path;
}

}  // namespace

UploadServer::UploadServer(const std::string& dir) {
  const std::string port_file = dir + "/upload-port";
  std::remove(port_file.c_str());
  pid_ = spawn({"/usr/bin/python3", source_dir() + "/tests/testing/upload_server.py", port_file},
               dir + "/upload-server.log");
  for (int i = 0; i < 1000; ++i) {
    std::ifstream in(port_file);
    if (in >> port_) return;
    if (exited(pid_)) {
      pid_ = -1;
      throw std::runtime_error("the upload server exited at start; see " + dir + "/upload-server.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("the upload server did not start in 10 s");
}

UploadServer::~UploadServer() { stop(pid_); }

std::string UploadServer::url(const std::string& path) const { return local_url(port_, path); }

void UploadServer::set_faults(const std::string& json) const {
  run_command("curl -fsS -o /dev/null -X POST --data-binary " + shell_quote(json) + " " + shell_quote(url("_faults")));
}

std::string UploadServer::log() const { return run_command("curl -fsS " + shell_quote(url("_log"))); }

void UploadServer::reset() const { run_command("curl -fsS -o /dev/null -X POST " + shell_quote(url("_reset"))); }

std::string NginxServer::binary() {
  for (const char* path : {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return {};
}

NginxServer::NginxServer(const std::string& dir) {
  root_ = dir + "/root";
  for (const char* sub : {"root", "tmp", "logs"}) std::filesystem::create_directories(dir + "/" + sub);
  port_ = free_port();
  const std::string conf = dir + "/nginx.conf";
  {
    std::ofstream out(conf);
    // Workers run as `nobody` unless told otherwise, and could not write
    // into a root-owned temp dir (REAL-PARTS §5).
    if (geteuid() == 0) out << "user root;\n";
    out << "worker_processes 1;\n"
        << "pid " << dir << "/nginx.pid;\n"
        << "error_log " << dir << "/logs/error.log warn;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n"
        << "  access_log " << dir << "/logs/access.log;\n"
        << "  client_body_temp_path " << dir << "/tmp;\n"
        << "  proxy_temp_path " << dir << "/tmp/proxy;\n"
        << "  fastcgi_temp_path " << dir << "/tmp/fastcgi;\n"
        << "  uwsgi_temp_path " << dir << "/tmp/uwsgi;\n"
        << "  scgi_temp_path " << dir << "/tmp/scgi;\n"
        << "  client_max_body_size 0;\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port_ << ";\n"
        << "    root " << root_ << ";\n"
        << "    location / { dav_methods PUT DELETE; create_full_put_path on; dav_access user:rw group:r all:r; }\n"
        << "  }\n"
        << "}\n";
  }
  pid_ = spawn({binary(), "-p", dir, "-c", conf, "-e", dir + "/logs/error.log", "-g", "daemon off;"},
               dir + "/logs/stdout");
  for (int i = 0; i < 1000; ++i) {
    if (accepts(port_)) return;
    if (exited(pid_)) {
      pid_ = -1;
      throw std::runtime_error("nginx exited at start; see " + dir + "/logs/error.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("nginx did not start in 10 s");
}

NginxServer::~NginxServer() { stop(pid_); }

std::string NginxServer::url(const std::string& path) const { return local_url(port_, path); }

}  // namespace wharf::testing
