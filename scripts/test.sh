#!/usr/bin/env bash
# Runs every test, twice: in build/ (the tree scripts/bootstrap.sh builds),
# then in build-asan/, the same sources built with the address and
# undefined-behaviour sanitizers (-DWHARF_SANITIZE=ON), which this script
# configures and builds. Exits non-zero if either suite fails.
#
# usage: bash scripts/test.sh [--no-sanitize]    (the second suite skipped)
# WHARF_TEST_JOBS (default 2) is handed to ctest -j.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=1
case ${1:-} in
  "") ;;
  --no-sanitize) sanitize=0 ;;
  *) echo "usage: $0 [--no-sanitize]" >&2; exit 2 ;;
esac
jobs=${WHARF_TEST_JOBS:-2}

echo "== tests in build/"
cmake --build build
ctest --test-dir build --output-on-failure -j"$jobs"

if ((sanitize)); then
  echo "== tests in build-asan/ (address + undefined sanitizers)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWHARF_WERROR=ON -DWHARF_SANITIZE=ON
  cmake --build build-asan
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
