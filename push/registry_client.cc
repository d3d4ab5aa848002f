#include "push/registry_client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "net/curl_http_client.h"
#include "util/text.h"

namespace wharf::push {
namespace {

std::mutex g_blobs_mutex;
std::map<std::string, std::map<std::string, std::set<std::string>>> g_blobs;  // registry -> digest -> repos

constexpr std::chrono::milliseconds kFirstBackoff{200};
constexpr std::chrono::milliseconds kMaxBackoff{10'000};
constexpr std::chrono::milliseconds kMaxRetryAfter{60'000};

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::chrono::milliseconds retry_after(const net::HttpResponse& response) {
  std::string_view value = response.header("Retry-After");
  long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || seconds < 0) return {};
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), kMaxRetryAfter);
}

}  // namespace

void remember_blob(const std::string& registry, const std::string& digest, const std::string& repository) {
  std::lock_guard lock(g_blobs_mutex);
  g_blobs[registry][digest].insert(repository);
}

std::vector<std::string> repositories_holding(const std::string& registry, const std::string& digest) {
  std::lock_guard lock(g_blobs_mutex);
  auto reg = g_blobs.find(registry);
  if (reg == g_blobs.end()) return {};
  auto blob = reg->second.find(digest);
  if (blob == reg->second.end()) return {};
  return {blob->second.begin(), blob->second.end()};
}

namespace {
std::mutex g_inflight_mutex;
std::condition_variable g_inflight_done;
std::set<std::pair<std::string, std::string>> g_inflight;  // (registry, digest)
}  // namespace

bool claim_upload(const std::string& registry, const std::string& digest) {
  std::lock_guard lock(g_inflight_mutex);
  return g_inflight.emplace(registry, digest).second;
}

void release_upload(const std::string& registry, const std::string& digest) {
  {
    std::lock_guard lock(g_inflight_mutex);
    g_inflight.erase({registry, digest});
  }
  g_inflight_done.notify_all();
}

void await_upload(const std::string& registry, const std::string& digest, const std::atomic<bool>* cancel) {
  std::unique_lock lock(g_inflight_mutex);
  // Woken by each release; the timeout only lets a cancel be seen.
  while (g_inflight.contains({registry, digest}) && !(cancel && cancel->load())) {
    g_inflight_done.wait_for(lock, std::chrono::milliseconds(100));
  }
}

std::string registry_error_text(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("errors") && json["errors"].is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : json["errors"]) {
      if (!e.is_object()) continue;
      std::string code = e.value("code", "");
      std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
      parts.push_back(printable(message.empty() ? code : code + ": " + message, 200));
    }
    if (!parts.empty()) return join(parts, "; ");
  }
  return body.empty() ? std::string() : printable(body, 200);
}

std::string url_path(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    auto slash = url.find('/', scheme + 3);
    url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  return std::string(url.substr(0, url.find('?')));
}

RegistryClient::RegistryClient(const RegistryTarget& target, const RegistryOptions& options,
                               std::shared_ptr<RegistrySession> session)
    : target_(target), options_(options), session_(std::move(session)) {
  if (!options_.sleep) options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

Result<void> RegistryClient::open() {
  if (options_.make_client) {
    http_ = options_.make_client();
  } else {
    auto curl = net::CurlHttpClient::create();
    if (!curl) return std::unexpected(curl.error());
    http_ = std::move(*curl);
  }
  if (!http_) return fail(ErrorKind::io, "no HTTP client for registry " + target_.registry);
  return load_credentials();
}

Result<void> RegistryClient::load_credentials() {
  std::lock_guard lock(session_->mutex);
  if (session_->credentials_loaded) return ok();
  auto creds = find_credentials(target_, options_);
  if (!creds) return std::unexpected(creds.error());
  session_->credentials = std::move(*creds);
  session_->credentials_loaded = true;
  return ok();
}

std::string RegistryClient::url(std::string_view path) const {
  return fmt::format("{}://{}{}", target_.insecure ? "http" : "https", target_.registry, path);
}

std::string RegistryClient::resolve(std::string_view location) const {
  if (location.starts_with("http://") || location.starts_with("https://")) return std::string(location);
  if (location.starts_with("/")) return url(location);
  return url("/" + std::string(location));
}

void RegistryClient::backoff(int attempt, std::chrono::milliseconds at_least) {
  auto delay = kFirstBackoff * (1 << std::min(attempt - 2, 10));
  delay = std::min(delay, kMaxBackoff);
  // Full jitter over the upper half, so parallel pushers that failed together
  // do not come back together.
  thread_local std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<long> half(delay.count() / 2, delay.count());
  delay = std::chrono::milliseconds(half(random));
  options_.sleep(std::max(delay, at_least));
}

bool RegistryClient::retryable(const Result<net::HttpResponse>& result) const {
  if (!result) return true;  // refused, reset, timed out
  return result->status == 429 || result->status >= 500;
}

std::string RegistryClient::authorization(const std::string& scope) {
  std::lock_guard lock(session_->mutex);
  if (session_->scheme == "basic") {
    return "Basic " + base64_encode(session_->credentials.user + ":" + session_->credentials.password);
  }
  if (session_->scheme == "bearer") {
    if (auto it = session_->tokens.find(scope); it != session_->tokens.end()) return "Bearer " + it->second;
  }
  return {};
}

Result<void> RegistryClient::fetch_token(const std::string& scope) {
  Challenge challenge;
  Credentials creds;
  {
    std::lock_guard lock(session_->mutex);
    challenge = session_->bearer;
    creds = session_->credentials;
  }
  const std::string realm = challenge.params["realm"];
  if (!realm.starts_with("http://") && !realm.starts_with("https://")) {
    return fail(ErrorKind::config, fmt::format("registry {} asked for a Bearer token from realm \"{}\", which is "
                                               "not an http(s) URL",
                                               target_.registry, printable(realm)));
  }
  std::string query;
  if (auto service = challenge.params.find("service"); service != challenge.params.end()) {
    query += "service=" + url_encode(service->second);
  }
  for (const std::string& s : split_list(scope, ' ')) query += (query.empty() ? "" : "&") + ("scope=" + url_encode(s));
  net::HttpRequest request;
  request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + query;
  request.timeout = target_.timeout;
  if (!creds.empty()) {
    request.headers.emplace_back("Authorization", "Basic " + base64_encode(creds.user + ":" + creds.password));
  }
  Result<net::HttpResponse> response;
  for (int attempt = 1;; ++attempt) {
    ++requests_;
    response = http_->send(request);
    if (!retryable(response) || attempt >= options_.max_attempts) break;
    backoff(attempt + 1, response ? retry_after(*response) : std::chrono::milliseconds{});
  }
  const std::string who = creds.empty() ? "anonymous access" : fmt::format("user {}", printable(creds.user));
  if (!response) {
    return fail(ErrorKind::io, fmt::format("token server {} for registry {}: {}", url_path(realm), target_.registry,
                                           response.error().message));
  }
  if (response->status == 401 || response->status == 403) {
    return fail(ErrorKind::config,
                fmt::format("token server {} for registry {} refused {} ({}{}): check the credentials "
                            "(environment variables or docker config)",
                            realm.substr(0, realm.find('?')), target_.registry, who, response->status,
                            response->body.empty() ? "" : ", " + printable(response->body, 120)));
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  std::string token;
  if (json.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (json.contains(key) && json[key].is_string() && !json[key].get<std::string>().empty()) {
        token = json[key].get<std::string>();
        break;
      }
    }
  }
  if (response->status != 200 || token.empty()) {
    return fail(ErrorKind::io, fmt::format("token server {} for registry {} answered {} without a token",
                                           realm.substr(0, realm.find('?')), target_.registry, response->status));
  }
  std::lock_guard lock(session_->mutex);
  session_->tokens[scope] = std::move(token);
  return ok();
}

std::vector<Result<net::HttpResponse>> RegistryClient::send_all(const std::vector<RegistryCall>& calls) {
  std::vector<Result<net::HttpResponse>> results(calls.size(), fail(ErrorKind::io, "not sent"));
  std::vector<int> attempts(calls.size(), 0);
  std::vector<int> auth_rounds(calls.size(), 0);
  std::vector<std::size_t> pending(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) pending[i] = i;

  while (!pending.empty()) {
    // Until the registry's auth scheme is known, one request finds it out
    // alone, so a batch of HEADs does not collect a 401 each.
    bool probing;
    {
      std::lock_guard lock(session_->mutex);
      probing = session_->scheme.empty();
    }
    std::vector<std::size_t> now = pending;
    if (probing && now.size() > 1) now.resize(1);
    // With Bearer auth, get the token before sending rather than after a 401.
    for (std::size_t i : now) {
      bool need_token;
      {
        std::lock_guard lock(session_->mutex);
        need_token = session_->scheme == "bearer" && !session_->tokens.contains(calls[i].scope);
      }
      if (need_token) {
        if (auto fetched = fetch_token(calls[i].scope); !fetched) {
          for (std::size_t j : pending) results[j] = std::unexpected(fetched.error());
          return results;
        }
      }
    }
    std::vector<net::HttpRequest> requests;
    for (std::size_t i : now) {
      net::HttpRequest request = calls[i].request;
      request.timeout = target_.timeout;
      if (std::string auth = authorization(calls[i].scope); !auth.empty()) {
        request.headers.emplace_back("Authorization", std::move(auth));
      }
      requests.push_back(std::move(request));
    }
    const auto deadline = std::chrono::steady_clock::now() + target_.timeout;
    auto answers = http_->send_all(requests, deadline);
    requests_ += requests.size();

    std::vector<std::size_t> again;
    std::chrono::milliseconds wait{0};
    int max_attempt = 0;
    for (std::size_t k = 0; k < now.size(); ++k) {
      const std::size_t i = now[k];
      Result<net::HttpResponse>& answer = answers[k];
      if (answer) bytes_sent_ += answer->bytes_sent;
      ++attempts[i];
      if (answer && answer->status == 401 && auth_rounds[i] < 2) {
        Challenge challenge = parse_challenge(answer->header("WWW-Authenticate"));
        bool resend = false;
        {
          std::lock_guard lock(session_->mutex);
          if (challenge.scheme == "bearer") {
            // A token for this scope that is refused has expired (or lacks
            // the scope): drop it and get a new one.
            session_->scheme = "bearer";
            session_->bearer = challenge;
            session_->tokens.erase(calls[i].scope);
            resend = true;
          } else if (challenge.scheme == "basic" && session_->scheme != "basic" && !session_->credentials.empty()) {
            session_->scheme = "basic";
            resend = true;
          }
        }
        if (resend) {
          ++auth_rounds[i];
          --attempts[i];
          again.push_back(i);
          continue;
        }
      }
      if (answer) {
        std::lock_guard lock(session_->mutex);
        if (session_->scheme.empty() && answer->status != 401) session_->scheme = "none";
      }
      if (calls[i].retry && retryable(answer) && attempts[i] < options_.max_attempts) {
        again.push_back(i);
        if (answer) wait = std::max(wait, retry_after(*answer));
        max_attempt = std::max(max_attempt, attempts[i] + 1);
        continue;
      }
      results[i] = std::move(answer);
    }
    // The requests not sent in this pass (probing) stay pending.
    std::vector<std::size_t> rest(pending.begin() + static_cast<std::ptrdiff_t>(now.size()), pending.end());
    if (max_attempt > 0) backoff(max_attempt, wait);
    pending = std::move(again);
    pending.insert(pending.end(), rest.begin(), rest.end());
  }
  return results;
}

Result<net::HttpResponse> RegistryClient::send(const RegistryCall& call) {
  auto results = send_all({call});
  return std::move(results.front());
}

std::string RegistryClient::describe(const net::HttpRequest& request, const Result<net::HttpResponse>& result) const {
  std::string what = fmt::format("{} {} on {}", request.method, url_path(request.url), target_.registry);
  if (!result) {
    // The transport error names the URL; keep only our own description of
    // it and libcurl's reason after the last ": ".
    const std::string& message = result.error().message;
    auto colon = message.rfind(": ");
    return fmt::format("{} failed: {}", what, colon == std::string::npos ? message : message.substr(colon + 2));
  }
  std::string text = registry_error_text(result->body);
  if (text.empty()) {
    // HEAD answers carry no body: say what the status means.
    switch (result->status) {
      case 401: text = "UNAUTHORIZED: authentication required"; break;
      case 403: text = "DENIED: access to the resource is denied"; break;
      case 404: text = "NOT FOUND"; break;
      case 429: text = "TOOMANYREQUESTS"; break;
      default: break;
    }
  }
  return fmt::format("{} answered {}{}", what, result->status, text.empty() ? "" : " " + text);
}

}  // namespace wharf::push
