// Real servers for the registry pusher's tests, started on 127.0.0.1 with
// ephemeral ports and stopped by PID: docker-registry (distribution 2.8;
// no auth, htpasswd Basic auth, or Bearer tokens), the fault-injecting proxy
// of fault_proxy.py and the token server of token_server.py. Constructors
// throw when a server does not come up; callers skip when the binary is
// absent (registry_available()).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace wharf::testing {

// /usr/bin/docker-registry, skopeo and the token server's Python modules.
bool registry_available();
bool skopeo_available();
bool token_server_available();

struct RegistryConfig {
  std::string htpasswd_user, htpasswd_password;  // Basic auth when set
  std::string token_realm, token_cert;           // Bearer auth when set (service "test-registry", issuer "test-issuer")
  bool relative_urls = false;                    // Location headers without scheme and host
};

class RegistryServer {
 public:
  RegistryServer(const std::string& dir, const RegistryConfig& config = {});
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  int port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// A tests/testing/*.py server that binds an ephemeral port and writes it to
// its first argument, a port file.
class ScriptServer {
 public:
  ScriptServer(const std::string& dir, const std::string& script, const std::vector<std::string>& args);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;
  int port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

class FaultProxy : public ScriptServer {
 public:
  FaultProxy(const std::string& dir, const std::string& upstream)
      : ScriptServer(dir, "fault_proxy.py", {upstream}) {}
  void set_faults(const std::string& rules_json) const;  // see fault_proxy.py
  void reset() const;
  int count(const std::string& key) const;  // "HEAD blob", "PATCH upload", "bytes_in", ...
  std::string stats() const;
};

// Writes key.pem/cert.pem under `dir` and serves tokens for user:password.
class TokenServer : public ScriptServer {
 public:
  TokenServer(const std::string& dir, const std::string& user, const std::string& password);
  std::string realm() const { return "http://" + address() + "/token"; }
  std::string cert() const { return cert_; }

 private:
  std::string cert_;
};

// oci_layout.py: an image layout with one gzip layer per size; returns the
// manifest digest. `index`: a two-platform image index instead (its digest).
std::string make_oci_layout(const std::string& dir, const std::string& tag, const std::string& seed,
                            const std::vector<int>& layer_sizes, bool index = false);

}  // namespace wharf::testing
