// libcurl, loaded with dlopen() the first time an HTTP client is made, not
// linked: its ~30 shared libraries (OpenSSL, nghttp2, libssh2, Kerberos,
// LDAP...) would otherwise be mapped and relocated at every start of wharf,
// which costs more than a whole `wharf plan --since` (README, Start-up). Only
// commands that read an environment over HTTP load it. The declarations come
// from libcurl4-openssl-dev's headers; the library is Debian's libcurl.so.4.
#pragma once

#define CURL_DISABLE_TYPECHECK 1  // the functions are called through pointers
#include <curl/curl.h>

#include "util/error.h"

namespace wharf::net {

struct CurlLibrary {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_setopt) multi_setopt;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_strerror) multi_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// Loads libcurl.so.4 and curl_global_init()s it, once per process (never
// unloaded). ErrorKind::io saying which package to install when it is
// missing or lacks a function.
Result<const CurlLibrary*> curl_library();

}  // namespace wharf::net
