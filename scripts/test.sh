#!/usr/bin/env bash
# Runs every test: the suite in build/ (the tree scripts/bootstrap.sh
# builds); then a build with libgit2 linked the ordinary way in
# build-ordinary-git2/ (what any libgit2 but 1.5 gets), checked against
# build/'s plans; then the sanitizer job: the tests of the parsers, the
# graph, git reading, hashing, the plan, the cache, packing and HTTP built with the address and
# undefined-behaviour sanitizers in build-asan-unit/ (-DWHARF_SANITIZE=ON,
# WHARF_TEST_FOLDERS), the tests that run the wharf binary running build/'s.
# With --sanitize, also every source and the whole suite instrumented in
# build-asan/ (not part of CI: ~36 min to build on 2 cores). Exits non-zero
# if any part fails.
#
# usage: bash scripts/test.sh [--quick | --sanitize]
#   --quick: only the suite in build/
# WHARF_TEST_JOBS (default 2) is handed to ctest -j. A compiler launcher
# (ccache) configured in build/ is used for the other builds too.
set -euo pipefail
cd "$(dirname "$0")/.."

full=1
sanitize=0
case ${1:-} in
  "") ;;
  --quick) full=0 ;;
  --sanitize) sanitize=1 ;;
  *) echo "usage: $0 [--quick | --sanitize]" >&2; exit 2 ;;
esac
jobs=${WHARF_TEST_JOBS:-2}
# Build trees share ccache's objects (see scripts/bootstrap.sh).
export CCACHE_NOHASHDIR=1
# The test folders of the sanitizer job (tests/<folder>): what parses
# untrusted text (configs, YAML, lockfiles, Dockerfiles, git's index), what
# plans, and the C libraries' users (LMDB, libarchive/libdeflate/zstd,
# libcurl). Out: cli/ and the examples start build/'s uninstrumented
# binary; push/, env/ and workspace/ drive servers through the same code.
SANITIZED_FOLDERS="util yaml lockfile fs graph infer vcs hashing plan cache packer net proc"
launcher=$(sed -n 's/^CMAKE_CXX_COMPILER_LAUNCHER:[A-Z]*=//p' build/CMakeCache.txt 2>/dev/null || true)

echo "== tests in build/"
cmake --build build
ctest --test-dir build --output-on-failure -j"$jobs"
((full)) || exit 0

echo "== libgit2 linked the ordinary way (build-ordinary-git2/)"
bash scripts/check-ordinary-link.sh "$PWD" "$PWD/build-ordinary-git2" "$PWD/build/wharf" "$launcher"

# -O1 -g1 (line tables: file:line in every report's stack): the
# instrumented build is the slowest part, and cache/size.cc took 14 s of CPU
# this way against 40 s at RelWithDebInfo's -O2 -g. The sanitizers' options
# are in tests/sanitizer/run.sh, which ctest starts each test through.
sanitized() {  # sanitized DIR [CMAKE ARGS...]
  local dir=$1
  shift
  local args=(-S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
              "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DWHARF_WERROR=ON -DWHARF_SANITIZE=ON "$@")
  [[ -n $launcher ]] && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
  cmake "${args[@]}" > /dev/null
}
echo "== sanitizer job: the tests of $SANITIZED_FOLDERS (build-asan-unit/)"
sanitized build-asan-unit "-DWHARF_TEST_FOLDERS=$(tr ' ' ';' <<< "$SANITIZED_FOLDERS")"
cmake --build build-asan-unit --target wharf_tests wharf_long_chain_test
WHARF_BINARY=$PWD/build/wharf ctest --test-dir build-asan-unit --output-on-failure -j"$jobs"
((sanitize)) || exit 0

echo "== tests in build-asan/ (every source, address + undefined sanitizers)"
sanitized build-asan
cmake --build build-asan
ctest --test-dir build-asan --output-on-failure -j"$jobs"
