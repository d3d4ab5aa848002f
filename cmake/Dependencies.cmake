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

# libgit2 and the C libraries under it, linked from their static archives
# (libgit2-dev ships libgit2.a). Why: a `wharf plan` takes a few
# milliseconds, and loading libgit2.so's 17 shared libraries (mbedTLS,
# libssh2, Kerberos for HTTP Negotiate...) and relocating them took ~1.7 ms
# of each run (hyperfine, `wharf --version` 4.7 -> 3.0 ms). The C++ runtime
# stays shared: toml++, fmt and oneTBB are C++ shared libraries. Falls back
# to the shared libgit2 when an archive is missing.
option(WHARF_STATIC_LIBGIT2 "Link libgit2 and its C dependencies statically (faster start)" ON)
add_library(wharf_git2 INTERFACE)
# vcs/libgit2_link.cc replaces two libgit2 functions; as an INTERFACE source
# it is compiled into each executable, so the linker always sees it.
target_sources(wharf_git2 INTERFACE ${PROJECT_SOURCE_DIR}/vcs/libgit2_link.cc)
if(WHARF_STATIC_LIBGIT2)
  pkg_check_modules(SSH2 QUIET libssh2)
  set(_wharf_git2_static "")
  set(_wharf_git2_missing "")
  foreach(_name IN LISTS GIT2_STATIC_LIBRARIES SSH2_STATIC_LIBRARIES)
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
    # See vcs/libgit2_link.cc: the CA bundle is not parsed, and HTTP
    # Negotiate (Kerberos) is left out, as wharf never talks to a git remote.
    target_link_options(wharf_git2 INTERFACE
      "LINKER:--wrap=mbedtls_x509_crt_parse_file" "LINKER:--wrap=git_http_auth_negotiate")
    target_compile_definitions(wharf_git2 INTERFACE WHARF_STATIC_LIBGIT2=1)
    # One libcrypto in the process: the static one libssh2 needs.
    set(OPENSSL_USE_STATIC_LIBS TRUE)
  endif()
endif()
if(NOT WHARF_STATIC_LIBGIT2)
  target_link_libraries(wharf_git2 INTERFACE PkgConfig::GIT2)
endif()
find_package(OpenSSL REQUIRED)
