// Test servers for the http pusher, started on 127.0.0.1 for one test suite
// and stopped by their PID:
// - UploadServer: tests/testing/upload_server.py, an in-memory object store
//   that logs requests and injects faults (500s, echoed headers).
// - NginxServer: nginx with its WebDAV module (PUT/GET/HEAD into a
//   directory), as ../shared/REAL-PARTS.md §5 verified it.
#pragma once

#include <sys/types.h>

#include <string>

namespace wharf::testing {

class UploadServer {
 public:
  // Throws when it does not come up in 10 s.
  explicit UploadServer(const std::string& dir);
  ~UploadServer();
  UploadServer(const UploadServer&) = delete;
  UploadServer& operator=(const UploadServer&) = delete;

  std::string url(const std::string& path) const;  // http://127.0.0.1:PORT/<path>
  void set_faults(const std::string& json) const;  // see the script
  std::string log() const;                         // JSON: every request so far
  void reset() const;                              // no objects, faults or log

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

class NginxServer {
 public:
  // Whether an nginx binary is installed (tests skip otherwise).
  static std::string binary();
  // Serves `dir`/root with WebDAV PUT; config, logs and temp files in `dir`.
  // Throws when it does not come up in 10 s.
  explicit NginxServer(const std::string& dir);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  std::string url(const std::string& path) const;
  const std::string& root() const { return root_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string root_;
};

}  // namespace wharf::testing
