// A small HTTP client interface: what wharf needs from HTTP (health
// endpoints now, registries and artifact stores for the deploy pushers
// later), so callers never see libcurl and tests can inject faults behind
// it. net/curl_http_client.h is the real one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace wharf::net {

using Header = std::pair<std::string, std::string>;  // name, value

// Part of a file sent as a request body, read as it goes out (a 300 MB
// layer is never held in memory).
struct BodyFile {
  std::string path;  // "" = none
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;  // sent when not empty (or when the method is not GET/HEAD)
  BodyFile body_file;  // sent instead of `body` when its path is set
  // When set, a 2xx response's body is written to this file (created or
  // truncated; no size limit) instead of HttpResponse::body. The caller
  // renames it into place: a failed transfer leaves a partial file here.
  std::string save_to;
  // The whole exchange (connect, redirects, body) must end within this.
  std::chrono::milliseconds timeout{10'000};
};

struct HttpResponse {
  long status = 0;
  std::vector<Header> headers;  // of the last response when redirected, names as sent
  std::string body;
  std::string url;  // the URL that answered (after redirects)
  std::uint64_t bytes_sent = 0;      // request body bytes uploaded
  std::uint64_t bytes_received = 0;  // response body bytes (also when saved to a file)

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string_view header(std::string_view name) const;
};

// The end of everything a send_all() call may take, on the steady clock.
using Deadline = std::chrono::steady_clock::time_point;

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends every request, in parallel as the client sees fit, and returns one
  // result per request in the same order. A response with any status is a
  // value (4xx/5xx included: the caller decides); a failure to get one
  // (refused, reset, TLS, timeout, the deadline passing, a body over the
  // size limit) is an Error (ErrorKind::io) whose message names the URL.
  virtual std::vector<Result<HttpResponse>> send_all(std::span<const HttpRequest> requests, Deadline deadline) = 0;

  // One request, with only its own timeout.
  Result<HttpResponse> send(const HttpRequest& request);
};

}  // namespace wharf::net
