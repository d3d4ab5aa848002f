// A pusher puts one service's built artifact where an environment runs it
// from: an OCI registry, a directory tree, an HTTP store, or whatever a
// configured command does. `wharf deploy` and `wharf promote` choose one per
// environment and service (graph/environment_config.h, PushTarget) and call
// it in parallel, one service per call; a pusher holds no state between
// calls that a failure could leave half-changed.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/error.h"

namespace wharf::push {

// What to push: the artifact as `wharf build` exported it.
struct Artifact {
  std::string service;
  std::string environment;
  std::string kind;    // "zip" | "image"
  std::string path;    // the exported zip file, or the OCI image layout directory
  std::string digest;  // "sha256:<hex>" of the zip, or of the image manifest (the layout's only manifest)
  std::uint64_t size = 0;
  std::string media_type;  // of `digest`'s bytes: "application/zip", "application/vnd.oci.image.manifest.v1+json"
  std::string sha;         // the commit it was built from (full)
  std::string short_sha;
  std::string key;                // its input key
  std::vector<std::string> tags;  // expanded tags; the first is the one reported (never empty)
  // Where the ledger says this artifact was pushed before ("host[:port]/repo"
  // of registry pushes): a registry pusher mounts blobs from those on its own
  // registry instead of uploading them (a promotion between repositories).
  std::vector<std::string> mount_from;
};

// What a push did.
struct Pushed {
  std::string digest;    // what the target now holds ("sha256:<hex>")
  std::string tag;       // the first tag
  std::string location;  // where: "registry/repo@sha256:...", a directory path, a URL
  std::uint64_t bytes_sent = 0;     // bytes uploaded (bodies only)
  std::uint64_t bytes_present = 0;  // bytes the target already held and so were not sent
  std::size_t requests = 0;         // HTTP requests made (0 for dir and command)
  bool already_there = false;       // nothing was sent but perhaps tags
};

// What a push would do (`wharf deploy --dry-run`); asks the target, changes
// nothing.
struct Preview {
  std::string location;
  std::uint64_t bytes_to_send = 0;  // upper bound when the target cannot tell
  bool complete = false;            // the target holds the digest under every tag already
};

class Pusher {
 public:
  virtual ~Pusher() = default;

  // "registry", "dir", "http", "command".
  virtual std::string kind() const = 0;

  virtual Result<Preview> preview(const Artifact& artifact) = 0;

  // Pushes the artifact and its tags. On failure nothing that names the
  // artifact (a manifest, a tag, a file at its final path) exists at the
  // target that did not before: content-addressed blobs may stay. Errors
  // name the service, the target and what it answered, never a credential.
  // When `cancel` becomes true the push stops as soon as it can and fails.
  virtual Result<Pushed> push(const Artifact& artifact, const std::atomic<bool>* cancel) = 0;
};

}  // namespace wharf::push
