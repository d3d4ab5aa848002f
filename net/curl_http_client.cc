#include "net/curl_http_client.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "net/curl_library.h"
#include "util/text.h"

namespace wharf::net {

struct CurlHttpClient::Transfer {
  std::size_t index = 0;
  const HttpRequest* request = nullptr;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  HttpResponse response;
  std::size_t max_body = 0;
  bool too_big = false;
  char error[CURL_ERROR_SIZE] = {};
  std::FILE* upload = nullptr;  // body_file, positioned at its offset
  std::FILE* download = nullptr;  // save_to, for a 2xx response
  bool write_failed = false;
  ~Transfer() {
    if (upload) std::fclose(upload);
    if (download) std::fclose(download);
  }
};

namespace {

// Set by CurlHttpClient::create() before any client exists.
const CurlLibrary* loaded_library = nullptr;
const CurlLibrary& lib() { return *loaded_library; }

std::string describe(const HttpRequest& request) {
  return fmt::format("{} {}", request.method, printable(request.url, 200));
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<CurlHttpClient::Transfer*>(user);
  const std::size_t bytes = size * count;
  transfer->response.bytes_received += bytes;
  const long status = transfer->response.status;
  if (transfer->download && status >= 200 && status < 300) {
    if (std::fwrite(data, 1, bytes, transfer->download) != bytes) {
      transfer->write_failed = true;
      return 0;
    }
    return bytes;
  }
  if (transfer->response.body.size() + bytes > transfer->max_body) {
    transfer->too_big = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<CurlHttpClient::Transfer*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 100 Continue): only the last
    // one's headers are the answer's.
    transfer->response.headers.clear();
    // "HTTP/1.1 200 OK": the status decides where the body goes (save_to).
    if (auto space = line.find(' '); space != std::string_view::npos) {
      transfer->response.status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    }
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    transfer->response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                            std::string(trim(line.substr(colon + 1))));
  }
  return bytes;
}

// Reads the body file's range for libcurl.
std::size_t on_read(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<CurlHttpClient::Transfer*>(user);
  const BodyFile& file = transfer->request->body_file;
  const std::uint64_t left = file.length - transfer->response.bytes_sent;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, left));
  const std::size_t got = std::fread(data, 1, want, transfer->upload);
  if (got < want && std::ferror(transfer->upload)) return CURL_READFUNC_ABORT;
  transfer->response.bytes_sent += got;
  return got;
}

// libcurl rewinds a body it must send again (a redirect, a retried
// connection).
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<CurlHttpClient::Transfer*>(user);
  if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  const BodyFile& file = transfer->request->body_file;
  if (fseeko(transfer->upload, static_cast<off_t>(file.offset + static_cast<std::uint64_t>(offset)), SEEK_SET) != 0) {
    return CURL_SEEKFUNC_FAIL;
  }
  transfer->response.bytes_sent = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace

Result<std::unique_ptr<CurlHttpClient>> CurlHttpClient::create(const CurlOptions& options) {
  auto library = curl_library();
  if (!library) return std::unexpected(library.error());
  loaded_library = *library;
  CURLM* multi = lib().multi_init();
  if (!multi) return fail(ErrorKind::io, "cannot initialise libcurl: curl_multi_init failed");
  return std::unique_ptr<CurlHttpClient>(new CurlHttpClient(options, multi));
}

CurlHttpClient::CurlHttpClient(const CurlOptions& options, void* multi) : options_(options), multi_(multi) {
  options_.max_parallel = std::max<std::size_t>(options_.max_parallel, 1);
  lib().multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_parallel));
}

CurlHttpClient::~CurlHttpClient() {
  for (void* easy : idle_easy_) lib().easy_cleanup(easy);
  lib().multi_cleanup(multi_);
}

void* CurlHttpClient::take_easy() {
  if (idle_easy_.empty()) return lib().easy_init();
  void* easy = idle_easy_.back();
  idle_easy_.pop_back();
  lib().easy_reset(easy);
  return easy;
}

std::vector<Result<HttpResponse>> CurlHttpClient::send_all(std::span<const HttpRequest> requests, Deadline deadline) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::optional<Result<HttpResponse>>> results(requests.size());
  std::vector<std::unique_ptr<Transfer>> active;
  std::size_t next = 0;

  auto finish = [&](Transfer& transfer, Result<HttpResponse> result) {
    if (transfer.easy) {
      lib().multi_remove_handle(multi_, transfer.easy);
      long connects = 0;
      if (lib().easy_getinfo(transfer.easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
        connections_opened_ += connects;
      }
      idle_easy_.push_back(transfer.easy);
      transfer.easy = nullptr;
    }
    lib().slist_free_all(transfer.headers);
    transfer.headers = nullptr;
    results[transfer.index] = std::move(result);
  };

  // Starts transfers while there is room; a transfer that cannot be set up
  // is finished at once with its error.
  auto start_more = [&] {
    while (next < requests.size() && active.size() < options_.max_parallel) {
      const HttpRequest& request = requests[next];
      auto transfer = std::make_unique<Transfer>();
      transfer->index = next++;
      transfer->request = &request;
      transfer->max_body = options_.max_body;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      const long timeout_ms = static_cast<long>(std::max<std::int64_t>(1, std::min(request.timeout, left).count()));
      CURL* easy = take_easy();
      if (!easy) {
        results[transfer->index] =
            fail(ErrorKind::io, fmt::format("{}: cannot create a libcurl handle", describe(request)));
        continue;
      }
      transfer->easy = easy;
      lib().easy_setopt(easy, CURLOPT_URL, request.url.c_str());
      lib().easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
      lib().easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
      lib().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
      lib().easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
      lib().easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
      lib().easy_setopt(easy, CURLOPT_MAXREDIRS, options_.max_redirects);
      lib().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
      lib().easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
      lib().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
      lib().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
      if (!options_.ca_file.empty()) lib().easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
      lib().easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
      lib().easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl decodes
      lib().easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
      lib().easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
      lib().easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
      lib().easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
      if (!request.save_to.empty()) {
        transfer->download = std::fopen(request.save_to.c_str(), "wb");
        if (!transfer->download) {
          finish(*transfer, fail(ErrorKind::io, fmt::format("{}: cannot write {}: {}", describe(request),
                                                            request.save_to, std::strerror(errno))));
          continue;
        }
      }
      if (request.method == "HEAD") {
        lib().easy_setopt(easy, CURLOPT_NOBODY, 1L);
      } else if (!request.body_file.path.empty()) {
        transfer->upload = std::fopen(request.body_file.path.c_str(), "rb");
        if (!transfer->upload ||
            fseeko(transfer->upload, static_cast<off_t>(request.body_file.offset), SEEK_SET) != 0) {
          finish(*transfer, fail(ErrorKind::io, fmt::format("{}: cannot read {}: {}", describe(request),
                                                            request.body_file.path, std::strerror(errno))));
          continue;
        }
        lib().easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        lib().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        lib().easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_file.length));
        lib().easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
        lib().easy_setopt(easy, CURLOPT_READDATA, transfer.get());
        lib().easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
        lib().easy_setopt(easy, CURLOPT_SEEKDATA, transfer.get());
      } else if (request.method != "GET" || !request.body.empty()) {
        lib().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        lib().easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        lib().easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      }
      for (const auto& [name, value] : request.headers) {
        std::string line = value.empty() ? name + ";" : name + ": " + value;  // "X;" sends an empty header
        curl_slist* grown = lib().slist_append(transfer->headers, line.c_str());
        if (grown) transfer->headers = grown;
      }
      // curl's own "Expect: 100-continue" waits a second for servers that
      // never answer it; bodies here are small.
      transfer->headers = lib().slist_append(transfer->headers, "Expect:");
      lib().easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
      if (CURLMcode code = lib().multi_add_handle(multi_, easy); code != CURLM_OK) {
        finish(*transfer, fail(ErrorKind::io, fmt::format("{}: {}", describe(request), lib().multi_strerror(code))));
        continue;
      }
      active.push_back(std::move(transfer));
    }
  };

  auto take_done = [&] {
    int queued = 0;
    while (CURLMsg* message = lib().multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      lib().easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&transfer));
      const CURLcode code = message->data.result;
      const HttpRequest& request = *transfer->request;
      if (transfer->download) {
        // Flushed before the caller renames it; a full disk shows here.
        if (std::fclose(transfer->download) != 0) transfer->write_failed = true;
        transfer->download = nullptr;
      }
      if (code == CURLE_OK && transfer->write_failed) {
        finish(*transfer, fail(ErrorKind::io, fmt::format("{}: cannot write {}", describe(request), request.save_to)));
      } else if (code == CURLE_OK) {
        lib().easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &transfer->response.status);
        if (request.body_file.path.empty()) transfer->response.bytes_sent = request.body.size();
        char* url = nullptr;
        if (lib().easy_getinfo(transfer->easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url) {
          transfer->response.url = url;
        }
        finish(*transfer, std::move(transfer->response));
      } else {
        std::string why = transfer->write_failed ? fmt::format("cannot write {}", request.save_to)
                          : transfer->too_big ? fmt::format("the response is longer than {} bytes", options_.max_body)
                          : code == CURLE_OPERATION_TIMEDOUT
                              ? fmt::format("no answer within {} ms", request.timeout.count())
                              : std::string(transfer->error[0] ? transfer->error : lib().easy_strerror(code));
        finish(*transfer, fail(ErrorKind::io, fmt::format("{}: {}", describe(request), printable(why, 200))));
      }
      std::erase_if(active, [&](const auto& t) { return t.get() == transfer; });
    }
  };

  start_more();
  while (!active.empty()) {
    int running = 0;
    lib().multi_perform(multi_, &running);
    take_done();
    start_more();
    if (active.empty()) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      for (auto& transfer : active) {
        finish(*transfer,
               fail(ErrorKind::io, fmt::format("{}: no answer before the deadline", describe(*transfer->request))));
      }
      active.clear();
      break;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    lib().multi_poll(multi_, nullptr, 0, static_cast<int>(std::min<std::int64_t>(wait, 1000)), nullptr);
  }
  // Requests never started (the deadline passed first).
  std::vector<Result<HttpResponse>> out;
  out.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (results[i]) {
      out.push_back(std::move(*results[i]));
    } else {
      out.push_back(fail(ErrorKind::io, fmt::format("{}: not sent before the deadline", describe(requests[i]))));
    }
  }
  return out;
}

}  // namespace wharf::net
