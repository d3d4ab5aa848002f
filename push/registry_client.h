// The HTTP side of the registry pusher and puller: one registry and
// repository, auth (anonymous, Basic, Bearer tokens from the challenge's
// realm), retries with capped jittered backoff, and error messages that name
// the request and what the registry said, never a credential.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"
#include "push/registry_auth.h"
#include "push/registry_pusher.h"

namespace wharf::push {

// What the calls of one pusher share: the credentials (read once), how the
// registry wants to be authenticated, and the Bearer tokens it handed out.
struct RegistrySession {
  std::mutex mutex;
  bool credentials_loaded = false;
  Credentials credentials;
  std::string scheme;                        // "" = not known yet, "none", "basic", "bearer"
  Challenge bearer;                          // realm and service of the Bearer challenge
  std::map<std::string, std::string> tokens;  // scope -> token
};

// Process-wide: repositories of a registry known to hold a blob (pushed
// there or pulled from there), for cross-repository mounts.
void remember_blob(const std::string& registry, const std::string& digest, const std::string& repository);
std::vector<std::string> repositories_holding(const std::string& registry, const std::string& digest);

// Uploads in flight in this process, so the pushers of several services
// that share a blob (a base or dependency layer, pushed in parallel) send it
// once: the first claims it; the others wait until it is released and then
// mount it from the claimant's repository (repositories_holding), or upload
// it themselves when the claimant failed.
bool claim_upload(const std::string& registry, const std::string& digest);
void release_upload(const std::string& registry, const std::string& digest);
// Returns once no pusher of this process is uploading `digest` to
// `registry`, or `cancel` is set.
void await_upload(const std::string& registry, const std::string& digest, const std::atomic<bool>* cancel);

struct RegistryCall {
  net::HttpRequest request;
  // Token scope(s), space-separated: "repository:acme/api:pull,push".
  std::string scope;
  // False for requests inside an upload session: a failed PATCH or PUT may
  // have left the session half-written, so the caller restarts from POST.
  bool retry = true;
};

class RegistryClient {
 public:
  RegistryClient(const RegistryTarget& target, const RegistryOptions& options,
                 std::shared_ptr<RegistrySession> session);

  // Makes the HTTP client; an error when libcurl cannot be loaded.
  Result<void> open();

  // "http(s)://registry" + path ("/v2/...").
  std::string url(std::string_view path) const;
  // A Location header as a URL: absolute as is, relative joined to the registry.
  std::string resolve(std::string_view location) const;

  // Sends the calls in parallel (the caller bounds how many) and returns a
  // result per call, in order. 401s are answered (Basic, or a Bearer token
  // fetched from the challenge's realm) and the request sent again; retryable
  // calls are sent again after a backoff on transport errors, 5xx and 429
  // (Retry-After honoured), up to max_attempts. A response of any other
  // status is a value; the caller decides.
  std::vector<Result<net::HttpResponse>> send_all(const std::vector<RegistryCall>& calls);
  Result<net::HttpResponse> send(const RegistryCall& call);

  // Waits before attempt `attempt` (2, 3, ...): 200 ms doubling to 10 s, with
  // jitter, or `at_least` when the registry said so.
  void backoff(int attempt, std::chrono::milliseconds at_least = {});
  bool retryable(const Result<net::HttpResponse>& result) const;

  // "PUT /v2/acme/api/manifests/v1 on 127.0.0.1:5000 answered 400
  // MANIFEST_INVALID: manifest invalid", or the transport error.
  std::string describe(const net::HttpRequest& request, const Result<net::HttpResponse>& result) const;
  std::string where() const { return target_.registry + "/" + target_.repository; }

  const RegistryTarget& target() const { return target_; }
  const RegistryOptions& options() const { return options_; }
  std::size_t requests() const { return requests_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  Result<void> load_credentials();
  // Authorization header for a request in `scope`, "" when none is known yet.
  std::string authorization(const std::string& scope);
  Result<void> fetch_token(const std::string& scope);

  RegistryTarget target_;
  RegistryOptions options_;
  std::shared_ptr<RegistrySession> session_;
  std::unique_ptr<net::HttpClient> http_;
  std::size_t requests_ = 0;
  std::uint64_t bytes_sent_ = 0;
};

// The `{"errors":[{"code","message"}]}` body as "CODE: message; ...", else
// the start of the body.
std::string registry_error_text(std::string_view body);

// The path of a URL without its query ("/v2/a/blobs/uploads/<uuid>").
std::string url_path(std::string_view url);

}  // namespace wharf::push
