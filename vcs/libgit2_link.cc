// Two libgit2 functions that wharf replaces at link time. wharf reads local
// objects only: it never lets libgit2 talk to a git remote (pushes go through
// push/ with libcurl + OpenSSL, which this file does not touch).
//
// 1. mbedtls_x509_crt_parse_file. Debian's libgit2 1.5 is built with mbedTLS
//    and parses the whole system CA bundle (/etc/ssl/certs/ca-certificates.crt,
//    ~140 certificates) inside git_libgit2_init(). That was ~5 ms of CPU on
//    every run, more than a whole `git diff | awk` baseline (measured:
//    git_libgit2_init() 8.2 ms -> 3.3 ms wall with hyperfine). Here the bundle
//    is not parsed. This fails closed: were libgit2 ever to open a TLS stream
//    in this process, it would have no trusted roots and every certificate
//    check would fail; nothing is trusted that should not be.
//
// 2. git_http_auth_negotiate (static link only): HTTP "Negotiate" (Kerberos)
//    authentication is what pulls libgssapi_krb5 and six more shared
//    libraries in. Left out, a Negotiate challenge fails as if unsupported.
//
// With the static libgit2 (cmake/Dependencies.cmake) the linker sends the
// calls to the __wrap_ symbols (--wrap); with the shared one, the definition
// below interposes the dynamic symbol libgit2 calls.

struct mbedtls_x509_crt;

#ifdef WHARF_STATIC_LIBGIT2
extern "C" int __wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt* /*chain*/, const char* /*path*/) { return 0; }

// libgit2's (internal) signature: int (git_http_auth_context **out, const git_net_url *url).
extern "C" int __wrap_git_http_auth_negotiate(void** out, const void* /*url*/) {
  *out = nullptr;
  return -1;
}
#else
extern "C" int mbedtls_x509_crt_parse_file(mbedtls_x509_crt* /*chain*/, const char* /*path*/) { return 0; }
#endif
