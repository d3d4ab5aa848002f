#!/usr/bin/env bash
# Runs a command with the sanitizer options of the -DWHARF_SANITIZE=ON
# build: ctest starts every test of build-asan/ through this script
# (tests/CMakeLists.txt), and the wharf processes an end-to-end test starts
# inherit the same options. By hand:
#   tests/sanitizer/run.sh build-asan/tests/wharf_tests --gtest_filter='Suite*'
# One place for the options, as a script: ctest's ENVIRONMENT would need a
# list, which gtest_discover_tests splits apart.
here=$(cd "$(dirname "$0")" && pwd)
# UBSan prints a report and goes on by default: stop at the first one, so
# that it fails the test (ASan stops at its first report already).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Leaks are checked at every exit (on by default with ASan; said here so
# that an ASAN_OPTIONS from the caller's shell cannot turn it off).
export ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_string_checks=1
# Leaks in third-party libraries' one-time set-up only; see the file.
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
exec "$@"
