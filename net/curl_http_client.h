// HttpClient over libcurl: one multi handle per client, so connections (and
// TLS sessions, DNS answers) are reused across requests and calls; many
// transfers in flight at once. Redirects are followed (http and https only),
// TLS peers and host names are verified against the system's CA store, and
// proxies come from the environment as curl's own tool takes them
// (http_proxy, HTTPS_PROXY, ALL_PROXY, NO_PROXY).
//
// Not thread-safe: one client per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace wharf::net {

struct CurlOptions {
  std::size_t max_parallel = 64;                // transfers in flight at once
  std::size_t max_body = std::size_t{8} << 20;  // bytes; a longer body is an error
  long max_redirects = 10;
  std::string user_agent = "wharf/0.1";
  std::string ca_file;  // a PEM bundle to trust instead of the system's (tests); "" = the system's
};

class CurlHttpClient final : public HttpClient {
 public:
  // ErrorKind::io when libcurl cannot be initialised.
  static Result<std::unique_ptr<CurlHttpClient>> create(const CurlOptions& options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  std::vector<Result<HttpResponse>> send_all(std::span<const HttpRequest> requests, Deadline deadline) override;

  // Connections opened so far (connections reused do not count): how tests
  // see that a second request reused the first one's connection.
  long connections_opened() const { return connections_opened_; }

  struct Transfer;  // one request in flight (curl_http_client.cc)

 private:
  explicit CurlHttpClient(const CurlOptions& options, void* multi);
  void* take_easy();

  CurlOptions options_;
  void* multi_ = nullptr;         // CURLM*
  std::vector<void*> idle_easy_;  // CURL* handles kept for reuse
  long connections_opened_ = 0;
};

}  // namespace wharf::net
