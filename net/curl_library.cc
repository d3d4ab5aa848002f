#include "net/curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include <fmt/format.h>

namespace wharf::net {
namespace {

Result<CurlLibrary> load() {
  constexpr const char* kName = "libcurl.so.4";
  void* handle = dlopen(kName, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return fail(ErrorKind::io, fmt::format("cannot load {} for HTTP ({}); install the Debian package libcurl4", kName,
                                           why ? why : "unknown error"));
  }
  CurlLibrary lib{};
  std::string missing;
  auto bind = [&](auto& slot, const char* name) {
    void* symbol = dlsym(handle, name);
    if (!symbol) missing = name;
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
  };
  bind(lib.global_init, "curl_global_init");
  bind(lib.easy_init, "curl_easy_init");
  bind(lib.easy_reset, "curl_easy_reset");
  bind(lib.easy_cleanup, "curl_easy_cleanup");
  bind(lib.easy_setopt, "curl_easy_setopt");
  bind(lib.easy_getinfo, "curl_easy_getinfo");
  bind(lib.easy_strerror, "curl_easy_strerror");
  bind(lib.multi_init, "curl_multi_init");
  bind(lib.multi_cleanup, "curl_multi_cleanup");
  bind(lib.multi_setopt, "curl_multi_setopt");
  bind(lib.multi_add_handle, "curl_multi_add_handle");
  bind(lib.multi_remove_handle, "curl_multi_remove_handle");
  bind(lib.multi_perform, "curl_multi_perform");
  bind(lib.multi_poll, "curl_multi_poll");
  bind(lib.multi_info_read, "curl_multi_info_read");
  bind(lib.multi_strerror, "curl_multi_strerror");
  bind(lib.slist_append, "curl_slist_append");
  bind(lib.slist_free_all, "curl_slist_free_all");
  if (!missing.empty()) {
    return fail(ErrorKind::io, fmt::format("{} has no {} (libcurl 7.66 or later is needed)", kName, missing));
  }
  // Process-wide and not thread-safe in libcurl: here, once.
  if (CURLcode code = lib.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    return fail(ErrorKind::io, fmt::format("cannot initialise libcurl (error {})", static_cast<int>(code)));
  }
  return lib;
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static const Result<CurlLibrary> loaded = load();  // thread-safe once
  if (!loaded) return std::unexpected(loaded.error());
  return &*loaded;
}

}  // namespace wharf::net
