#include "push/registry_pusher.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include <fmt/core.h>

#include "push/registry_client.h"
#include "push/registry_layout.h"
#include "util/text.h"

namespace wharf::push {
namespace {

constexpr std::size_t kHeadBatch = 16;  // HEADs are cheap: more at once than uploads

// One missing blob on its way up: POST (or a mount), then one PUT, or PATCH
// chunks and a closing PUT. A failure inside the session starts it over.
struct Upload {
  const RegistryBlob* blob = nullptr;
  enum class Step { start, send, finish, done } step = Step::start;
  int attempt = 1;
  std::vector<std::string> mount_from;  // sibling repositories to try, last first
  std::string location;                 // the session URL
  std::uint64_t offset = 0;             // bytes the session holds
  bool mounted = false;
};

std::string with_query(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

// What the registry holds of an artifact: which blobs are missing and which
// tags do not point at the manifest yet.
struct State {
  std::vector<const RegistryBlob*> missing;
  std::uint64_t present_bytes = 0;
  std::vector<std::string> tags_to_put;
};

// The session of a registry as seen with these credentials; see
// RegistryOptions::share_session. Kept for the process's life (a CLI run).
std::shared_ptr<RegistrySession> session_for(const RegistryTarget& target, const RegistryOptions& options) {
  if (!options.share_session) return std::make_shared<RegistrySession>();
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<RegistrySession>> sessions;
  const std::string key = fmt::format("{}\n{}\n{}\n{}\n{}", target.registry, target.insecure, target.user_env,
                                      target.password_env, options.docker_config);
  std::lock_guard lock(mutex);
  auto& session = sessions[key];
  if (!session) session = std::make_shared<RegistrySession>();
  return session;
}

class RegistryPusher final : public Pusher {
 public:
  RegistryPusher(RegistryTarget target, RegistryOptions options)
      : target_(std::move(target)), options_(std::move(options)), session_(session_for(target_, options_)) {
    if (target_.parallel == 0) target_.parallel = 1;
  }

  std::string kind() const override { return "registry"; }

  Result<Preview> preview(const Artifact& artifact) override {
    RegistryClient client(target_, options_, session_);
    auto content = open(client, artifact);
    if (!content) return std::unexpected(content.error());
    auto state = inspect(client, artifact, *content);
    if (!state) return std::unexpected(state.error());
    Preview out;
    out.location = location(content->manifests.back().digest);
    for (const RegistryBlob* blob : state->missing) out.bytes_to_send += blob->size;
    if (!state->tags_to_put.empty()) {
      for (const RegistryManifest& m : content->manifests) out.bytes_to_send += m.bytes.size();
    }
    out.complete = state->missing.empty() && state->tags_to_put.empty();
    return out;
  }

  Result<Pushed> push(const Artifact& artifact, const std::atomic<bool>* cancel) override {
    RegistryClient client(target_, options_, session_);
    auto content = open(client, artifact);
    if (!content) return std::unexpected(content.error());
    const RegistryManifest& top = content->manifests.back();
    auto state = inspect(client, artifact, *content);
    if (!state) return std::unexpected(state.error());
    if (cancelled(cancel)) return cancelled_error(artifact);

    Pushed out;
    out.digest = top.digest;
    out.tag = artifact.tags.empty() ? std::string() : artifact.tags.front();
    out.location = location(top.digest);
    out.bytes_present = state->present_bytes;
    out.already_there = state->missing.empty();

    auto uploaded = upload(client, artifact, state->missing, cancel, out);
    if (!uploaded) return std::unexpected(uploaded.error());
    for (const RegistryBlob& blob : content->blobs) remember_blob(target_.registry, blob.digest, target_.repository);

    if (!state->tags_to_put.empty()) {
      if (cancelled(cancel)) return cancelled_error(artifact);
      // An index's manifests first (by digest), so the index finds them.
      std::vector<RegistryCall> children;
      for (std::size_t i = 0; i + 1 < content->manifests.size(); ++i) {
        children.push_back(manifest_put(client, content->manifests[i], content->manifests[i].digest));
      }
      if (auto put = put_manifests(client, artifact, children); !put) return std::unexpected(put.error());
      std::vector<RegistryCall> tags;
      for (const std::string& tag : state->tags_to_put) tags.push_back(manifest_put(client, top, tag));
      if (auto put = put_manifests(client, artifact, tags); !put) return std::unexpected(put.error());
    }
    out.requests = client.requests();
    out.bytes_sent = client.bytes_sent();
    return out;
  }

 private:
  std::string scope() const { return "repository:" + target_.repository + ":pull,push"; }
  std::string location(const std::string& digest) const {
    return target_.registry + "/" + target_.repository + "@" + digest;
  }
  std::string v2(const std::string& rest) const { return "/v2/" + target_.repository + rest; }

  Error error(const Artifact& artifact, ErrorKind kind, const std::string& what) const {
    return Error{kind, fmt::format("service {}: push to registry {}/{} failed: {}", artifact.service, target_.registry,
                                   target_.repository, what)};
  }
  Error http_error(const Artifact& artifact, const RegistryClient& client, const net::HttpRequest& request,
                   const Result<net::HttpResponse>& result) const {
    if (!result && result.error().kind == ErrorKind::config) return error(artifact, ErrorKind::config, result.error().message);
    std::string hint;
    if (result && (result->status == 401 || result->status == 403)) {
      hint = target_.user_env.empty() ? " (set user_env/password_env or log in with docker login)"
                                      : " (check the credentials in " + target_.user_env + "/" + target_.password_env + ")";
    }
    return error(artifact, result && result->status < 500 ? ErrorKind::config : ErrorKind::io,
                 client.describe(request, result) + hint);
  }
  static bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(); }
  Result<Pushed> cancelled_error(const Artifact& artifact) const {
    return std::unexpected(error(artifact, ErrorKind::io, "cancelled"));
  }

  Result<RegistryContent> open(RegistryClient& client, const Artifact& artifact) {
    if (auto opened = client.open(); !opened) {
      return std::unexpected(error(artifact, opened.error().kind, opened.error().message));
    }
    Result<RegistryContent> content = artifact.kind == "image" ? read_image_layout(artifact.path)
                                      : artifact.kind == "zip" ? zip_artifact_content(artifact)
                                                               : fail(ErrorKind::usage, "the registry pusher takes "
                                                                                        "images and zips, not " +
                                                                                            artifact.kind);
    if (!content) return std::unexpected(error(artifact, content.error().kind, content.error().message));
    if (artifact.kind == "image" && !artifact.digest.empty() && artifact.digest != content->manifests.back().digest) {
      return std::unexpected(error(artifact, ErrorKind::corrupt,
                                   fmt::format("layout {} holds manifest {}, not the built {}", artifact.path,
                                               content->manifests.back().digest, artifact.digest)));
    }
    return content;
  }

  // HEAD every blob and every tag, a batch at a time.
  Result<State> inspect(RegistryClient& client, const Artifact& artifact, const RegistryContent& content) {
    std::vector<RegistryCall> calls;
    for (const RegistryBlob& blob : content.blobs) {
      RegistryCall call{{}, scope(), true};
      call.request.method = "HEAD";
      call.request.url = client.url(v2("/blobs/" + blob.digest));
      calls.push_back(std::move(call));
    }
    for (const std::string& tag : artifact.tags) {
      RegistryCall call{{}, scope(), true};
      call.request.method = "HEAD";
      call.request.url = client.url(v2("/manifests/" + tag));
      call.request.headers.emplace_back("Accept", manifest_accept());
      calls.push_back(std::move(call));
    }
    State state;
    const std::string& digest = content.manifests.back().digest;
    for (std::size_t first = 0; first < calls.size(); first += kHeadBatch) {
      std::vector<RegistryCall> batch(calls.begin() + static_cast<std::ptrdiff_t>(first),
                                      calls.begin() + static_cast<std::ptrdiff_t>(std::min(calls.size(), first + kHeadBatch)));
      auto results = client.send_all(batch);
      for (std::size_t k = 0; k < batch.size(); ++k) {
        const std::size_t i = first + k;
        const auto& result = results[k];
        if (!result || (result->status != 200 && result->status != 404)) {
          return std::unexpected(http_error(artifact, client, batch[k].request, result));
        }
        if (i < content.blobs.size()) {
          if (result->status == 200) {
            state.present_bytes += content.blobs[i].size;
          } else {
            state.missing.push_back(&content.blobs[i]);
          }
        } else if (result->status == 404 || result->header("Docker-Content-Digest") != digest) {
          state.tags_to_put.push_back(artifact.tags[i - content.blobs.size()]);
        }
      }
    }
    if (artifact.tags.empty()) state.tags_to_put.push_back(digest);  // by digest only
    return state;
  }

  RegistryCall upload_call(RegistryClient& client, Upload& u) {
    RegistryCall call{{}, scope(), true};
    const RegistryBlob& blob = *u.blob;
    switch (u.step) {
      case Upload::Step::start:
        call.request.method = "POST";
        call.request.url = client.url(v2("/blobs/uploads/"));
        if (!u.mount_from.empty()) {
          const std::string& from = u.mount_from.back();
          call.request.url += "?mount=" + blob.digest + "&from=" + from;
          call.scope += " repository:" + from + ":pull";
        }
        break;
      case Upload::Step::send: {
        call.retry = false;
        const std::uint64_t chunk = std::max<std::uint64_t>(options_.chunk_size, 1);
        call.request.headers.emplace_back("Content-Type", "application/octet-stream");
        if (blob.size <= chunk) {
          call.request.method = "PUT";
          call.request.url = with_query(u.location, "digest=" + blob.digest);
        } else {
          call.request.method = "PATCH";
          call.request.url = u.location;
        }
        const std::uint64_t length = blob.size <= chunk ? blob.size : std::min(chunk, blob.size - u.offset);
        if (call.request.method == "PATCH") {
          call.request.headers.emplace_back("Content-Range", fmt::format("{}-{}", u.offset, u.offset + length - 1));
        }
        if (blob.path.empty()) {
          call.request.body = blob.data.substr(u.offset, length);
        } else {
          call.request.body_file = {blob.path, u.offset, length};
        }
        break;
      }
      case Upload::Step::finish:
        call.retry = false;
        call.request.method = "PUT";
        call.request.url = with_query(u.location, "digest=" + blob.digest);
        call.request.headers.emplace_back("Content-Type", "application/octet-stream");
        break;
      case Upload::Step::done:
        break;
    }
    return call;
  }

  // The missing blobs: those no other pusher of this process is sending
  // first, then (once they are up) the others, mounted from where they went.
  Result<void> upload(RegistryClient& client, const Artifact& artifact, const std::vector<const RegistryBlob*>& missing,
                      const std::atomic<bool>* cancel, Pushed& out) {
    std::vector<const RegistryBlob*> mine, theirs;
    for (const RegistryBlob* blob : missing) {
      (claim_upload(target_.registry, blob->digest) ? mine : theirs).push_back(blob);
    }
    struct Release {  // on every way out, failures included
      const std::string& registry;
      const std::vector<const RegistryBlob*>& blobs;
      ~Release() {
        for (const RegistryBlob* blob : blobs) release_upload(registry, blob->digest);
      }
    } release{target_.registry, mine};
    if (auto sent = send_blobs(client, artifact, mine, cancel, out); !sent) return sent;
    for (const RegistryBlob* blob : theirs) await_upload(target_.registry, blob->digest, cancel);
    return send_blobs(client, artifact, theirs, cancel, out);
  }

  Result<void> send_blobs(RegistryClient& client, const Artifact& artifact,
                          const std::vector<const RegistryBlob*>& missing, const std::atomic<bool>* cancel,
                          Pushed& out) {
    std::vector<Upload> uploads;
    for (const RegistryBlob* blob : missing) {
      Upload u;
      u.blob = blob;
      // Tried last first: what this process pushed, then the ledger's hints.
      const std::string prefix = target_.registry + "/";
      for (const std::string& hint : artifact.mount_from) {
        if (!hint.starts_with(prefix)) continue;
        std::string repo = hint.substr(prefix.size());
        if (repo != target_.repository && std::find(u.mount_from.begin(), u.mount_from.end(), repo) == u.mount_from.end()) {
          u.mount_from.push_back(std::move(repo));
        }
      }
      for (const std::string& repo : repositories_holding(target_.registry, blob->digest)) {
        if (repo != target_.repository && std::find(u.mount_from.begin(), u.mount_from.end(), repo) == u.mount_from.end()) {
          u.mount_from.push_back(repo);
        }
      }
      uploads.push_back(std::move(u));
    }
    for (;;) {
      std::vector<Upload*> active;
      for (Upload& u : uploads) {
        if (u.step != Upload::Step::done && active.size() < target_.parallel) active.push_back(&u);
      }
      if (active.empty()) break;
      if (cancelled(cancel)) return std::unexpected(error(artifact, ErrorKind::io, "cancelled"));
      std::vector<RegistryCall> calls;
      for (Upload* u : active) calls.push_back(upload_call(client, *u));
      auto results = client.send_all(calls);
      int restart_attempt = 0;
      for (std::size_t k = 0; k < active.size(); ++k) {
        Upload& u = *active[k];
        const auto& result = results[k];
        const Upload::Step step = u.step;
        const long status = result ? result->status : 0;
        if (step == Upload::Step::start && status == 201 && !u.mount_from.empty()) {
          u.step = Upload::Step::done;  // mounted: nothing to send
          u.mounted = true;
          out.bytes_present += u.blob->size;
          remember_blob(target_.registry, u.blob->digest, target_.repository);
          continue;
        }
        if (step == Upload::Step::start && !u.mount_from.empty() && status != 202) {
          u.mount_from.pop_back();  // that repository would not lend it: try the next, then upload
          continue;
        }
        if (step == Upload::Step::start && status == 202 && !result->header("Location").empty()) {
          // Also what a mount the registry could not do answers: a session.
          u.location = client.resolve(result->header("Location"));
          u.offset = 0;
          u.step = Upload::Step::send;
          u.mount_from.clear();
          continue;
        }
        if (step == Upload::Step::send && calls[k].request.method == "PATCH" && status == 202) {
          u.offset += calls[k].request.body_file.path.empty() ? calls[k].request.body.size()
                                                              : calls[k].request.body_file.length;
          if (auto loc = result->header("Location"); !loc.empty()) u.location = client.resolve(loc);
          if (u.offset >= u.blob->size) u.step = Upload::Step::finish;
          continue;
        }
        if ((step == Upload::Step::send || step == Upload::Step::finish) && status == 201) {
          auto got = result->header("Docker-Content-Digest");
          if (!got.empty() && got != u.blob->digest) {
            return std::unexpected(error(artifact, ErrorKind::corrupt,
                                         fmt::format("{} stored blob {} as {}", client.describe(calls[k].request, result),
                                                     u.blob->digest, printable(got))));
          }
          u.step = Upload::Step::done;
          // Known here at once: a pusher waiting for it mounts it from here.
          remember_blob(target_.registry, u.blob->digest, target_.repository);
          continue;
        }
        // A session that failed on the way is started over (a new POST):
        // what the registry kept of it cannot be trusted.
        // A session the registry lost or found inconsistent (a resent body
        // appended to a partial one: DIGEST_INVALID, BLOB_UPLOAD_UNKNOWN, a
        // bad range) is started over too.
        const bool session_broken = status == 400 || status == 404 || status == 416;
        if (step != Upload::Step::start && (client.retryable(result) || session_broken) &&
            u.attempt < options_.max_attempts) {
          ++u.attempt;
          u.step = Upload::Step::start;
          restart_attempt = std::max(restart_attempt, u.attempt);
          continue;
        }
        return std::unexpected(http_error(artifact, client, calls[k].request, result));
      }
      if (restart_attempt > 0) client.backoff(restart_attempt);
    }
    return ok();
  }

  RegistryCall manifest_put(RegistryClient& client, const RegistryManifest& manifest, const std::string& reference) {
    RegistryCall call{{}, scope(), true};
    call.request.method = "PUT";
    call.request.url = client.url(v2("/manifests/" + reference));
    call.request.headers.emplace_back("Content-Type", manifest.media_type);
    call.request.body = manifest.bytes;
    return call;
  }

  Result<void> put_manifests(RegistryClient& client, const Artifact& artifact, const std::vector<RegistryCall>& calls) {
    if (calls.empty()) return ok();
    auto results = client.send_all(calls);
    for (std::size_t k = 0; k < calls.size(); ++k) {
      if (!results[k] || results[k]->status != 201) {
        return std::unexpected(http_error(artifact, client, calls[k].request, results[k]));
      }
    }
    return ok();
  }

  RegistryTarget target_;
  RegistryOptions options_;
  std::shared_ptr<RegistrySession> session_;
};

}  // namespace

std::unique_ptr<Pusher> make_registry_pusher(RegistryTarget target, RegistryOptions options) {
  return std::make_unique<RegistryPusher>(std::move(target), std::move(options));
}

}  // namespace wharf::push
