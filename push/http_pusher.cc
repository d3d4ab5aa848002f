#include "push/http_pusher.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "net/curl_http_client.h"
#include "push/template.h"
#include "util/sha.h"
#include "util/text.h"

namespace wharf::push {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kHeadTimeout = 30'000ms;
constexpr std::chrono::milliseconds kFirstBackoff = 500ms;
constexpr std::chrono::milliseconds kMaxBackoff = 8'000ms;
constexpr std::chrono::milliseconds kMaxRetryAfter = 60'000ms;

std::string base64(std::span<const std::uint8_t> bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) |
                            (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                            (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// The artifact's "sha256:<hex>" digest as base64 of its 32 bytes, or "" when
// it is not one.
std::string digest_base64(const std::string& digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() != kPrefix.size() + 64 || !digest.starts_with(kPrefix)) return {};
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = kPrefix.size(); i < digest.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int high = nibble(digest[i]);
    const int low = nibble(digest[i + 1]);
    if (high < 0 || low < 0) return {};
    bytes.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return base64(bytes);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The base64 SHA-256 a HEAD answer states for the object, or "" when it
// states none: `Digest: sha-256=<b64>` (RFC 3230), `Repr-Digest:
// sha-256=:<b64>:` (RFC 9530), `x-amz-checksum-sha256: <b64>`.
std::string stated_sha256(const net::HttpResponse& response) {
  if (auto amz = response.header("x-amz-checksum-sha256"); !amz.empty()) return std::string(amz);
  for (std::string_view name : {"repr-digest", "digest"}) {
    const std::string value(response.header(name));
    const auto at = lower(value).find("sha-256=");
    if (at == std::string::npos) continue;
    std::string b64 = value.substr(at + 8, value.find(',', at) == std::string::npos ? std::string::npos
                                                                                    : value.find(',', at) - at - 8);
    std::erase_if(b64, [](char c) { return c == ':' || c == ' '; });
    return b64;
  }
  return {};
}

bool retryable(long status) { return status >= 500 || status == 429; }

// A Retry-After in seconds (an HTTP date is not honoured: the backoff
// applies), capped.
std::optional<std::chrono::milliseconds> retry_after(const net::HttpResponse& response) {
  const std::string_view value = response.header("retry-after");
  if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos || value.size() > 6) {
    return std::nullopt;
  }
  return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(std::string(value))), kMaxRetryAfter);
}

std::chrono::milliseconds backoff(int attempt) {
  static thread_local std::mt19937 engine{std::random_device{}()};
  auto delay = std::min(kFirstBackoff * (1 << std::min(attempt - 1, 10)), kMaxBackoff);
  std::uniform_int_distribution<long> jitter(0, delay.count() / 4);
  return delay + std::chrono::milliseconds(jitter(engine));
}

std::string snippet(const net::HttpResponse& response) {
  std::string body = response.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
  return body.empty() ? std::string() : ": " + printable(body, 200);
}

// One push's state: the client, the secrets to scrub, the counters.
class Exchange {
 public:
  Exchange(const Artifact& artifact, std::string url, const HttpPusherOptions& options,
           std::vector<net::Header> headers, const std::atomic<bool>* cancel)
      : artifact_(artifact),
        url_(std::move(url)),
        shown_url_(redact_url(url_)),
        options_(options),
        headers_(std::move(headers)),
        cancel_(cancel) {}

  // A request to the URL with the configured headers.
  net::HttpRequest request(const char* method) const {
    net::HttpRequest request;
    request.method = method;
    request.url = url_;
    request.headers = headers_;
    return request;
  }

  const std::string& shown_url() const { return shown_url_; }
  std::size_t requests() const { return requests_; }
  int last_attempts() const { return last_attempts_; }  // of the last send()
  std::uint64_t bytes_sent() const { return bytes_sent_; }

  // `message` with every header value and the URL's query taken out.
  std::string scrub(std::string message) const {
    auto replace_all = [&](const std::string& what, const std::string& with) {
      if (what.empty()) return;
      for (auto at = message.find(what); at != std::string::npos; at = message.find(what, at + with.size())) {
        message.replace(at, what.size(), with);
      }
    };
    replace_all(printable(url_, 200), shown_url_);
    replace_all(url_, shown_url_);
    for (const auto& header : headers_) replace_all(header.second, "***");
    return message;
  }

  Result<void> connect() {
    if (options_.make_client) {
      client_ = options_.make_client();
    } else {
      auto curl = net::CurlHttpClient::create();
      if (!curl) return std::unexpected(curl.error());
      client_ = std::move(*curl);
    }
    if (!client_) return fail(ErrorKind::io, "no HTTP client");
    return ok();
  }

  // Sends `request`, again after a pause while the answer is a 5xx, a 429
  // or no answer at all, up to max_attempts times. The last answer (any
  // status) or the last transport error.
  Result<net::HttpResponse> send(net::HttpRequest request) {
    const int attempts = std::max(1, options_.max_attempts);
    for (int attempt = 1;; ++attempt) {
      last_attempts_ = attempt;
      if (cancel_ && cancel_->load()) return fail(ErrorKind::io, error_text(request, "cancelled"));
      ++requests_;
      auto response = client_->send(request);
      if (response) bytes_sent_ += response->bytes_sent;
      const bool again = !response || retryable(response->status);
      if (!again) return response;
      if (attempt >= attempts) {
        if (response) return response;
        return fail(ErrorKind::io, error_text(request, fmt::format("{} (after {} attempts)", response.error().message,
                                                                    attempts)));
      }
      auto delay = backoff(attempt);
      if (response && (response->status == 429 || response->status == 503)) {
        if (auto after = retry_after(*response)) delay = *after;
      }
      if (options_.sleep) {
        options_.sleep(delay);
      } else {
        std::this_thread::sleep_for(delay);
      }
    }
  }

  std::string error_text(const net::HttpRequest& request, const std::string& what) const {
    const std::string prefix = fmt::format("{} {}: ", request.method, shown_url_);
    std::string text = scrub(what);
    if (text.starts_with(prefix)) text.erase(0, prefix.size());  // the client's own message names the request too
    return fmt::format("service {}: {}{}", artifact_.service, prefix, text);
  }

  std::string status_text(const net::HttpRequest& request, const net::HttpResponse& response,
                          const std::string& advice) const {
    return error_text(request, fmt::format("answered {}{}{}", response.status, snippet(response), advice));
  }

 private:
  const Artifact& artifact_;
  std::string url_;
  std::string shown_url_;
  const HttpPusherOptions& options_;
  std::vector<net::Header> headers_;  // configured ones; their values are secrets
  const std::atomic<bool>* cancel_;
  std::unique_ptr<net::HttpClient> client_;
  std::size_t requests_ = 0;
  std::uint64_t bytes_sent_ = 0;
  int last_attempts_ = 0;
};

// Holds only its configuration: `wharf deploy` calls push() for several
// services at once.
class HttpPusher final : public Pusher {
 public:
  HttpPusher(HttpTarget target, HttpPusherOptions options) : target_(std::move(target)), options_(std::move(options)) {
    if (!options_.getenv) options_.getenv = ::getenv;
  }

  std::string kind() const override { return "http"; }

  Result<Preview> preview(const Artifact& artifact) override {
    auto exchange = open(artifact, nullptr);
    if (!exchange) return std::unexpected(exchange.error());
    auto present = head(artifact, **exchange);
    if (!present) return std::unexpected(present.error());
    Preview preview;
    preview.location = (*exchange)->shown_url();
    preview.complete = *present;
    preview.bytes_to_send = *present ? 0 : artifact.size;
    return preview;
  }

  Result<Pushed> push(const Artifact& artifact, const std::atomic<bool>* cancel) override {
    auto opened = open(artifact, cancel);
    if (!opened) return std::unexpected(opened.error());
    Exchange& exchange = **opened;
    Pushed pushed;
    pushed.digest = artifact.digest;
    pushed.tag = artifact.tags.empty() ? std::string() : artifact.tags.front();
    pushed.location = exchange.shown_url();
    auto finish = [&](bool already_there) -> Result<Pushed> {
      pushed.already_there = already_there;
      pushed.bytes_present = already_there ? artifact.size : 0;
      pushed.bytes_sent = exchange.bytes_sent();
      pushed.requests = exchange.requests();
      return pushed;
    };

    auto present = head(artifact, exchange);
    if (!present) return std::unexpected(present.error());
    if (*present) return finish(true);

    struct stat st{};
    if (::stat(artifact.path.c_str(), &st) != 0 || static_cast<std::uint64_t>(st.st_size) != artifact.size) {
      return fail(ErrorKind::not_found,
                  fmt::format("service {}: the artifact {} is missing or not {} bytes; build it again",
                              artifact.service, artifact.path, artifact.size));
    }
    net::HttpRequest put = exchange.request("PUT");
    put.headers.emplace_back("Content-Type",
                             artifact.media_type.empty() ? "application/octet-stream" : artifact.media_type);
    if (auto b64 = digest_base64(artifact.digest); !b64.empty()) put.headers.emplace_back("Digest", "sha-256=" + b64);
    put.headers.emplace_back("If-None-Match", "*");
    put.body_file = net::BodyFile{artifact.path, 0, artifact.size};
    put.timeout = target_.timeout;
    auto response = exchange.send(put);
    if (!response) return std::unexpected(response.error());
    if (response->status == 200 || response->status == 201 || response->status == 204) return finish(false);
    // If-None-Match: * failed: the object appeared since the HEAD (already
    // there), or an earlier attempt of this PUT stored it before its answer
    // was lost (pushed).
    if (response->status == 412) return finish(exchange.last_attempts() == 1);
    return fail(ErrorKind::io, exchange.status_text(put, *response, advice(response->status)));
  }

 private:
  // Expands the URL, reads the header variables, makes the client.
  Result<std::unique_ptr<Exchange>> open(const Artifact& artifact, const std::atomic<bool>* cancel) {
    if (artifact.kind != "zip") {
      return fail(ErrorKind::config,
                  fmt::format("service {}: an http target takes a zip, and this artifact is {} {}; push images "
                              "with a registry pusher",
                              artifact.service, artifact.kind == "image" ? "an" : "a", artifact.kind));
    }
    auto url = expand_template(target_.url, artifact);
    if (!url) return std::unexpected(url.error());
    if (!url->starts_with("http://") && !url->starts_with("https://")) {
      return fail(ErrorKind::config, fmt::format("service {}: the http target's URL {} is not http:// or https://",
                                                 artifact.service, redact_url(*url)));
    }
    std::vector<net::Header> headers;
    for (const auto& [name, variable] : target_.headers) {
      const char* value = options_.getenv(variable.c_str());
      if (!value || !*value) {
        return fail(ErrorKind::config,
                    fmt::format("service {}: the header {} for {} takes its value from the environment variable "
                                "{}, which is not set",
                                artifact.service, name, redact_url(*url), variable));
      }
      const std::string text = value;
      if (text.find_first_of("\r\n") != std::string::npos) {
        return fail(ErrorKind::config,
                    fmt::format("service {}: the environment variable {} (header {}) holds a line break",
                                artifact.service, variable, name));
      }
      headers.emplace_back(name, text);
    }
    auto exchange = std::make_unique<Exchange>(artifact, std::move(*url), options_, std::move(headers), cancel);
    if (auto connected = exchange->connect(); !connected) {
      return fail(connected.error().kind,
                  fmt::format("service {}: {}", artifact.service, exchange->scrub(connected.error().message)));
    }
    return exchange;
  }

  // Whether the target holds the artifact already (see http_pusher.h).
  Result<bool> head(const Artifact& artifact, Exchange& exchange) {
    net::HttpRequest head = exchange.request("HEAD");
    head.timeout = std::min(target_.timeout, kHeadTimeout);
    auto response = exchange.send(head);
    if (!response) return std::unexpected(response.error());
    if (retryable(response->status)) {
      return fail(ErrorKind::io, exchange.status_text(head, *response, advice(response->status)));
    }
    if (response->status != 200) return false;
    const std::string_view length = response->header("content-length");
    if (!length.empty() && length != std::to_string(artifact.size)) {
      return fail(ErrorKind::io, exchange.error_text(head, fmt::format("holds a different object ({} bytes, the "
                                                                       "artifact {}); wharf does not overwrite it: "
                                                                       "make the URL name {{digest}} or {{sha}}",
                                                                       length, artifact.size)));
    }
    const std::string stated = stated_sha256(*response);
    if (!stated.empty() && stated != digest_base64(artifact.digest)) {
      return fail(ErrorKind::io, exchange.error_text(head, fmt::format("holds a different object (sha-256 {}, the "
                                                                       "artifact {}); wharf does not overwrite it: "
                                                                       "make the URL name {{digest}} or {{sha}}",
                                                                       stated, artifact.digest)));
    }
    return true;
  }

  static std::string advice(long status) {
    if (status == 401 || status == 403) return "; check the credentials in the header variables and the URL";
    if (status == 404 || status == 409) return "; check that the URL's directory exists and takes uploads";
    if (status == 413) return "; the server refuses a body this large";
    if (retryable(status)) return "; the server kept failing, try again later";
    return "";
  }

  HttpTarget target_;
  HttpPusherOptions options_;
};

}  // namespace

std::string redact_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  const std::size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  std::size_t path_start = url.find_first_of("/?#", host_start);
  if (path_start == std::string::npos) path_start = url.size();
  std::string host = url.substr(host_start, path_start - host_start);
  if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  const std::size_t end = std::min(url.find_first_of("?#", path_start), url.size());
  return printable(url.substr(0, host_start) + host + url.substr(path_start, end - path_start), 300);
}

std::unique_ptr<Pusher> make_http_pusher(HttpTarget target, HttpPusherOptions options) {
  return std::make_unique<HttpPusher>(std::move(target), std::move(options));
}

}  // namespace wharf::push
