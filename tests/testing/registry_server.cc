#include "tests/testing/registry_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/testing/temp_dir.h"

namespace wharf::testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// fork + setsid + exec, output to `log`.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setsid();
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  if (pid > 0) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
}

bool exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

bool registry_available() { return access("/usr/bin/docker-registry", X_OK) == 0; }
bool skopeo_available() { return access("/usr/bin/skopeo", X_OK) == 0; }
bool token_server_available() {
  int status = 1;
  run_command("/usr/bin/python3 -c 'import jwt, cryptography' 2>/dev/null", &status);
  return status == 0 && access("/usr/bin/openssl", X_OK) == 0;
}

RegistryServer::RegistryServer(const std::string& dir, const RegistryConfig& config) : dir_(dir) {
  std::ofstream yml(dir + "/config.yml");
  yml << "version: 0.1\n"
      << "log:\n  level: info\n  accesslog:\n    disabled: true\n"
      << "storage:\n  filesystem:\n    rootdirectory: " << dir << "/data\n  delete:\n    enabled: true\n"
      << "http:\n  addr: 127.0.0.1:0\n  secret: test-only-secret\n"
      << (config.relative_urls ? "  relativeurls: true\n" : "");
  if (!config.htpasswd_user.empty()) {
    int status = 1;
    run_command("htpasswd -Bbn " + shell_quote(config.htpasswd_user) + " " + shell_quote(config.htpasswd_password) +
                    " > " + shell_quote(dir + "/htpasswd"),
                &status);
    if (status != 0) throw std::runtime_error("htpasswd failed (apache2-utils installed?)");
    yml << "auth:\n  htpasswd:\n    realm: test-realm\n    path: " << dir << "/htpasswd\n";
  } else if (!config.token_realm.empty()) {
    yml << "auth:\n  token:\n    realm: " << config.token_realm << "\n    service: test-registry\n"
        << "    issuer: test-issuer\n    rootcertbundle: " << config.token_cert << "\n";
  }
  yml.close();
  pid_ = spawn({"/usr/bin/docker-registry", "serve", dir + "/config.yml"}, dir + "/registry.log");
  const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
  for (int i = 0; i < 1000 && port_ == 0; ++i) {
    std::smatch m;
    std::string text = read_all(dir + "/registry.log");
    if (std::regex_search(text, m, listening)) {
      port_ = std::stoi(m[1]);
      break;
    }
    if (exited(pid_)) {
      pid_ = -1;
      throw std::runtime_error("docker-registry exited at start: " + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port_ == 0) throw std::runtime_error("docker-registry did not say where it listens in 10 s");
  for (int i = 0; i < 500; ++i) {
    std::string code = run_command("curl -s -o /dev/null -w '%{http_code}' http://" + address() + "/v2/");
    if (code == "200" || code == "401") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("docker-registry did not answer /v2/ in 5 s");
}

RegistryServer::~RegistryServer() { stop(pid_); }

std::string RegistryServer::address() const { return "127.0.0.1:" + std::to_string(port_); }
std::string RegistryServer::log() const { return read_all(dir_ + "/registry.log"); }

ScriptServer::ScriptServer(const std::string& dir, const std::string& script, const std::vector<std::string>& args) {
  const std::string port_file = dir + "/" + script + ".port";
  std::remove(port_file.c_str());
  std::vector<std::string> argv = {"/usr/bin/python3", source_dir() + "/tests/testing/" + script, port_file};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn(argv, dir + "/" + script + ".log");
  for (int i = 0; i < 1000; ++i) {
    std::ifstream in(port_file);
    if (in >> port_) return;
    if (exited(pid_)) {
      pid_ = -1;
      throw std::runtime_error(script + " exited at start: " + read_all(dir + "/" + script + ".log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error(script + " did not start in 10 s");
}

ScriptServer::~ScriptServer() { stop(pid_); }

std::string ScriptServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

void FaultProxy::set_faults(const std::string& rules_json) const {
  run_command("curl -fsS -o /dev/null -X POST --data-binary " + shell_quote(rules_json) + " http://" + address() +
              "/_proxy/faults");
}

void FaultProxy::reset() const {
  run_command("curl -fsS -o /dev/null -X POST http://" + address() + "/_proxy/reset");
}

std::string FaultProxy::stats() const { return run_command("curl -fsS http://" + address() + "/_proxy/stats"); }

int FaultProxy::count(const std::string& key) const {
  auto json = nlohmann::json::parse(stats(), nullptr, false);
  return json.is_object() && json.contains(key) ? json[key].get<int>() : 0;
}

namespace {
std::string make_keys(const std::string& dir) {
  int status = 1;
  run_command("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                  shell_quote(dir + "/key.pem") + " -out " + shell_quote(dir + "/cert.pem") +
                  " -days 3650 -subj /CN=test-token-issuer 2>/dev/null",
              &status);
  if (status != 0) throw std::runtime_error("openssl could not make the token key");
  return dir;
}
}  // namespace

TokenServer::TokenServer(const std::string& dir, const std::string& user, const std::string& password)
    : ScriptServer(make_keys(dir), "token_server.py",
                   {dir + "/key.pem", dir + "/cert.pem", user + ":" + password}),
      cert_(dir + "/cert.pem") {}

std::string make_oci_layout(const std::string& dir, const std::string& tag, const std::string& seed,
                            const std::vector<int>& layer_sizes, bool index) {
  std::string command = std::string(index ? "OCI_INDEX=1 " : "") + "/usr/bin/python3 " + shell_quote(source_dir() + "/tests/testing/oci_layout.py") + " " +
                        shell_quote(dir) + " " + shell_quote(tag) + " " + shell_quote(seed);
  for (int size : layer_sizes) command += " " + std::to_string(size);
  int status = 1;
  std::string digest = run_command(command, &status);
  while (!digest.empty() && digest.back() == '\n') digest.pop_back();
  if (status != 0 || digest.size() != 71) throw std::runtime_error("oci_layout.py failed: " + digest);
  return digest;
}

}  // namespace wharf::testing
