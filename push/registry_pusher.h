// The `registry` pusher: OCI images (and zips, as OCI artifacts) to a
// registry over the OCI distribution API, through net::HttpClient (no
// skopeo, no docker). Blobs the registry holds get a HEAD request and nothing
// else; missing ones are mounted from a sibling repository when one is known
// to hold them, else uploaded (monolithic PUT, or PATCH chunks when large),
// a few at once; the manifest goes up only after every blob is there, then
// the tags that do not point at it yet. Anonymous, Basic and Bearer-token
// auth; retries with capped, jittered exponential backoff on 5xx, 429 and
// dropped connections. Credentials and tokens never appear in errors.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "net/http_client.h"
#include "push/pusher.h"
#include "util/error.h"

namespace wharf::push {

struct RegistryTarget {
  std::string registry;                // "127.0.0.1:5000", "ghcr.io" (host[:port])
  std::string repository;              // already expanded, e.g. "acme/api"
  bool insecure = false;               // plain http:// (and so no TLS); default https, verified
  std::string user_env, password_env;  // names of environment variables holding credentials ("" = none)
  std::size_t parallel = 4;            // blob uploads at once
  std::chrono::milliseconds timeout{300'000};  // one request
};

struct RegistryOptions {
  // A new client per push (a client serves one thread). Default: a
  // CurlHttpClient with the system's CA store.
  std::function<std::unique_ptr<net::HttpClient>()> make_client;
  // config.json with `auths` / `credHelpers` / `credsStore`; "" =
  // $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
  std::string docker_config;
  std::function<const char*(const char*)> getenv = ::getenv;  // tests inject
  std::function<void(std::chrono::milliseconds)> sleep;       // backoff waits; "" = really sleep
  int max_attempts = 5;                                       // per request (or per upload session)
  std::uint64_t chunk_size = 64 << 20;                        // larger blobs go up in PATCH chunks
  // Share what is learnt of the registry (its auth scheme, the credentials
  // read, Bearer tokens per scope) with every other pusher of this process
  // that has the same registry, credential variables and docker config:
  // `wharf deploy` makes one pusher per service, and without this each
  // would spend a round trip finding the scheme out again. Off by default
  // (tests inject getenv per pusher, which a shared session would ignore).
  bool share_session = false;
};

// Thread-safe: push() and preview() may run at once for different
// artifacts (each call makes its own client); Bearer tokens are shared.
std::unique_ptr<Pusher> make_registry_pusher(RegistryTarget target, RegistryOptions options = {});

// Pulls an image (a tag, or "sha256:<hex>") from a registry into an OCI
// image layout directory, written beside `layout_dir` and renamed into
// place (an existing one is replaced). The index.json names the tag (when
// `reference` is one) in org.opencontainers.image.ref.name. Every blob's
// digest is verified. Returns the manifest digest. Blobs pulled are
// remembered as held by `source.repository`, so a later push to a sibling
// repository of the same registry mounts them instead of uploading.
Result<std::string> pull_image(const RegistryTarget& source, const std::string& reference,
                               const std::string& layout_dir, const RegistryOptions& options = {});

}  // namespace wharf::push
