// The `http` pusher: PUTs a zip to a URL made from a template (a WebDAV
// share, an nginx or Bazel-style HTTP store, a pre-signed object-store URL).
//
// Choices (documented for wharf.toml users):
// - Images are refused (ErrorKind::config): an image goes to a `registry`
//   pusher, which sends only the blobs the target lacks; a tar of a layout
//   would be re-sent whole on every change.
// - First a HEAD of the URL. 200 means the object is there: the push is
//   already_there and sends nothing, unless the answer contradicts the
//   artifact (a Content-Length other than its size, or a `Digest:
//   sha-256=`/`Repr-Digest`/`x-amz-checksum-sha256` other than its SHA-256),
//   which is an error: wharf never overwrites a different object (the URL
//   template should name {digest}, {sha} or {tag}). Any other HEAD answer
//   (404, or the 403 of a URL pre-signed for PUT only) leads to the PUT.
// - The PUT streams the file with `Content-Type` (the artifact's media
//   type), `Digest: sha-256=<base64>` (RFC 3230; the store may check it,
//   nginx ignores it) and `If-None-Match: *`, so a store that knows
//   conditional writes keeps an object that appeared meanwhile: 412 counts
//   as already there. 200, 201 and 204 are success.
// - 5xx, 429 and transport failures (refused, reset, timed out) are retried
//   up to max_attempts in all, after 0.5 s, 1 s, 2 s... (at most 8 s, plus
//   up to a quarter more at random; a 429's or 503's Retry-After in seconds
//   is honoured, at most 60 s).
// - Header values come from environment variables, never from wharf.toml,
//   and never appear in errors (scrubbed even from what a server echoes);
//   nor does the URL's query (a pre-signed URL's signature): errors and
//   Pushed::location show scheme://host/path.
#pragma once

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "push/pusher.h"

namespace wharf::push {

struct HttpTarget {
  std::string url;  // a template (push/template.h)
  // Header name -> the environment variable holding its value (an
  // `Authorization` token, an API key).
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{300'000};  // per request
};

struct HttpPusherOptions {
  // Called once per push (a client serves one thread); default: a
  // net::CurlHttpClient.
  std::function<std::unique_ptr<net::HttpClient>()> make_client;
  std::function<const char*(const char*)> getenv = ::getenv;
  int max_attempts = 4;  // per request, the first included
  // Waits between attempts; default: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// Errors name the service, the method and URL (without query) and the
// status and body snippet that came back: ErrorKind::config for a bad
// template, an image, an unset header variable; ErrorKind::io otherwise.
std::unique_ptr<Pusher> make_http_pusher(HttpTarget target, HttpPusherOptions options = {});

// scheme://host[:port]/path of `url`: without user info, query and fragment.
std::string redact_url(const std::string& url);

}  // namespace wharf::push
