// The health-endpoint server of tests/testing/health_server.py, started on
// 127.0.0.1 (an ephemeral port) for one test suite and stopped by its PID.
#pragma once

#include <sys/types.h>
#include <string>

namespace wharf::testing {

class HealthServer {
 public:
  // `state_json`: {"svc": "version"} or {"svc": {"version": ..., "mode": ...}};
  // see the script for the modes. Throws when it does not come up in 10 s.
  HealthServer(const std::string& dir, const std::string& state_json);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const;  // http://127.0.0.1:PORT/<path>
  // PUT /_state/<service> with a JSON object (merged into its state).
  void set(const std::string& service, const std::string& json) const;
  // GETs of each service's health so far, as JSON.
  std::string stats() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace wharf::testing
