// libgit2 functions that wharf replaces at link time. wharf reads local
// objects only: it never lets libgit2 talk to a git remote (pushes go through
// push/ with their own HTTP client). What libgit2 brings for remotes costs
// every run anyway, so it is left out, failing closed.
//
// With the static libgit2 (cmake/Dependencies.cmake), the linker sends these
// calls to the __wrap_ definitions below (--wrap), and what only they used is
// not linked at all:
//   - TLS through mbedTLS: git_libgit2_init() seeded a random generator and
//     parsed the whole system CA bundle (~140 certificates) on every run,
//     ~5 ms of CPU at first (more than a whole `git diff | awk` baseline),
//     then still 1.4M instructions for the seeding (callgrind).
//   - SSH through libssh2, which pulled in OpenSSL's EVP layer: ~17,000
//     relocations the loader applied at every start.
//   - HTTP "Negotiate" (Kerberos), which loaded libgssapi_krb5 and six more
//     shared libraries.
// Each replacement reports failure: were libgit2 ever asked for an https://
// or ssh:// remote, or Kerberos, it would get an error, never an unchecked
// connection.
//
// The signatures are libgit2 1.5's internal ones (src/libgit2/streams/
// mbedtls.h, transports/ssh.h, transports/auth_negotiate.h); only pointer
// and int arguments, which the definitions below do not read. This file is
// compiled only with the static libgit2 1.5 (cmake/Dependencies.cmake); with
// any other libgit2, or the shared one, nothing is replaced.

extern "C" {

int __wrap_git_mbedtls_stream_global_init(void) { return 0; }

int __wrap_git_mbedtls__set_cert_location(const char* /*file*/, const char* /*path*/) { return -1; }

int __wrap_git_mbedtls_stream_new(void** out, const char* /*host*/, const char* /*port*/) {
  *out = nullptr;
  return -1;
}

int __wrap_git_mbedtls_stream_wrap(void** out, void* /*in*/, const char* /*host*/) {
  *out = nullptr;
  return -1;
}

int __wrap_git_transport_ssh_global_init(void) { return 0; }

int __wrap_git_smart_subtransport_ssh(void** out, void* /*owner*/, void* /*param*/) {
  *out = nullptr;
  return -1;
}

int __wrap_git_transport_ssh_with_paths(void** out, void* /*owner*/, void* /*payload*/) {
  *out = nullptr;
  return -1;
}

int __wrap_git_http_auth_negotiate(void** out, const void* /*url*/) {
  *out = nullptr;
  return -1;
}

}  // extern "C"
