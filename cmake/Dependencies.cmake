# Every dependency comes from a Debian -dev package (see README.md).
find_package(PkgConfig REQUIRED)
pkg_check_modules(GIT2 REQUIRED IMPORTED_TARGET libgit2)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(XXH REQUIRED IMPORTED_TARGET libxxhash)
find_package(LibArchive REQUIRED)
find_package(TBB REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(fmt REQUIRED)
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)  # libcurl4-openssl-dev: net/
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)  # libyaml-dev: yaml/

# Each shared library a run loads costs it mmaps, relocations and page
# faults before main(). The small C libraries are linked from their static
# archives when Debian ships them, and fmt and toml++ are compiled in (fmt
# header-only; toml++'s parser only in graph/config.cc). What stays shared is
# the C++ runtime and oneTBB (no static archive in Debian).
# wharf_static_or_shared(NAME PKG_PREFIX ARCHIVE): an INTERFACE target NAME
# linking ARCHIVE if found, else the pkg-config target.
function(wharf_static_or_shared name prefix archive)
  add_library(${name} INTERFACE)
  find_library(WHARF_${prefix}_ARCHIVE NAMES ${archive})
  if(WHARF_${prefix}_ARCHIVE)
    target_include_directories(${name} INTERFACE ${${prefix}_INCLUDE_DIRS})
    target_link_libraries(${name} INTERFACE ${WHARF_${prefix}_ARCHIVE})
  else()
    target_link_libraries(${name} INTERFACE PkgConfig::${prefix})
  endif()
endfunction()
wharf_static_or_shared(wharf_xxhash XXH libxxhash.a)
wharf_static_or_shared(wharf_lmdb LMDB liblmdb.a)
wharf_static_or_shared(wharf_libyaml YAML libyaml.a)
add_library(wharf_tomlplusplus INTERFACE)
get_target_property(_wharf_toml_include tomlplusplus::tomlplusplus INTERFACE_INCLUDE_DIRECTORIES)
target_include_directories(wharf_tomlplusplus INTERFACE ${_wharf_toml_include})
target_compile_definitions(wharf_tomlplusplus INTERFACE TOML_HEADER_ONLY=1)

# libgit2 and the C libraries under it, linked from their static archives
# (libgit2-dev ships libgit2.a). Why: a `wharf plan` takes a few
# milliseconds, and loading libgit2.so's 17 shared libraries (mbedTLS,
# libssh2, Kerberos for HTTP Negotiate...) and relocating them took ~1.7 ms
# of each run (hyperfine, `wharf --version` 4.7 -> 3.0 ms). Falls back to
# the shared libgit2 when an archive is missing.
option(WHARF_STATIC_LIBGIT2 "Link libgit2 and its C dependencies statically (faster start)" ON)
# vcs/libgit2_link.cc replaces libgit2 1.5's internal TLS/SSH/Negotiate
# functions by name and signature. On any other libgit2 those may differ, so
# the build falls back to ordinary linking, without any replacement: slower
# to start, never wrong. CI builds that fallback too (tests/build/).
if(WHARF_STATIC_LIBGIT2 AND NOT GIT2_VERSION MATCHES "^1\\.5\\.")
  message(STATUS "wharf: libgit2 ${GIT2_VERSION} is not the 1.5 that vcs/libgit2_link.cc matches; linking it normally")
  set(WHARF_STATIC_LIBGIT2 OFF)
endif()
add_library(wharf_git2 INTERFACE)
if(WHARF_STATIC_LIBGIT2)
  set(_wharf_git2_static "")
  set(_wharf_git2_missing "")
  # (What libssh2 would need in turn is not linked: see vcs/libgit2_link.cc.)
  foreach(_name IN LISTS GIT2_STATIC_LIBRARIES)
    if(_name MATCHES "^(dl|pthread|rt|m|c)$")
      continue()  # part of glibc
    endif()
    if(_name IN_LIST _wharf_git2_seen)
      continue()
    endif()
    list(APPEND _wharf_git2_seen ${_name})
    find_library(WHARF_STATIC_${_name} NAMES lib${_name}.a)
    if(WHARF_STATIC_${_name})
      list(APPEND _wharf_git2_static ${WHARF_STATIC_${_name}})
    else()
      list(APPEND _wharf_git2_missing lib${_name}.a)
    endif()
  endforeach()
  if(_wharf_git2_missing)
    message(STATUS "wharf: linking the shared libgit2 (no ${_wharf_git2_missing})")
    set(WHARF_STATIC_LIBGIT2 OFF)
  else()
    target_include_directories(wharf_git2 INTERFACE ${GIT2_INCLUDE_DIRS})
    # Archives can refer to each other in any order; group them.
    target_link_libraries(wharf_git2 INTERFACE
      "-Wl,--start-group" ${_wharf_git2_static} "-Wl,--end-group" ${CMAKE_DL_LIBS} Threads::Threads rt)
    # See vcs/libgit2_link.cc: TLS, SSH and HTTP Negotiate are left out, as
    # wharf never talks to a git remote. --wrap renames only libgit2's calls
    # to these libgit2-internal names, so libcurl or OpenSSL linked beside
    # it are untouched. As an INTERFACE source the file is compiled into
    # each executable, so the linker always sees it.
    target_sources(wharf_git2 INTERFACE ${PROJECT_SOURCE_DIR}/vcs/libgit2_link.cc)
    foreach(_fn IN ITEMS git_mbedtls_stream_global_init git_mbedtls__set_cert_location git_mbedtls_stream_new
                         git_mbedtls_stream_wrap git_transport_ssh_global_init git_smart_subtransport_ssh
                         git_transport_ssh_with_paths git_http_auth_negotiate)
      target_link_options(wharf_git2 INTERFACE "LINKER:--wrap=${_fn}")
    endforeach()
  endif()
endif()
if(NOT WHARF_STATIC_LIBGIT2)
  target_link_libraries(wharf_git2 INTERFACE PkgConfig::GIT2)
endif()
message(STATUS "wharf: libgit2 ${GIT2_VERSION}, static with link-time replacements: ${WHARF_STATIC_LIBGIT2}")

# OpenSSL gives SHA-1 and SHA-256 (util/sha.h); from libcrypto.a only those
# functions are linked (~50 KB), where libcrypto.so is 4.5 MB to map and
# relocate at every start (3,400 symbol bindings, LD_DEBUG=bindings).
find_package(OpenSSL REQUIRED)
add_library(wharf_crypto INTERFACE)
find_library(WHARF_CRYPTO_ARCHIVE NAMES libcrypto.a)
if(WHARF_CRYPTO_ARCHIVE)
  target_include_directories(wharf_crypto INTERFACE ${OPENSSL_INCLUDE_DIR})
  target_link_libraries(wharf_crypto INTERFACE ${WHARF_CRYPTO_ARCHIVE} ${CMAKE_DL_LIBS} Threads::Threads)
else()
  target_link_libraries(wharf_crypto INTERFACE OpenSSL::Crypto)
endif()
