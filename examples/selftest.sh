#!/usr/bin/env bash
# selftest.sh -- regenerate the sample repo twice and check that
#   * both copies have the pinned HEAD SHA (the generator is deterministic), and
#   * check-expected.sh reproduces examples/expected-*.txt, and
#   * with --wharf BIN, that `BIN plan --json` agrees with them too.
# Exits non-zero on any mismatch. Needs git, bash and python3 only.
# ctest runs it with --wharf (tests/examples/CMakeLists.txt).
#
# usage: selftest.sh [--wharf BIN]
set -euo pipefail

wharf=""
if [[ ${1:-} == --wharf && $# -eq 2 ]]; then
  wharf=$(cd -- "$(dirname -- "$2")" && pwd)/$(basename -- "$2")
elif [[ $# -ne 0 ]]; then
  echo "usage: $0 [--wharf BIN]" >&2; exit 2
fi

here=$(cd -- "$(dirname -- "$0")" && pwd)
HEAD_SHA=3a9f661fd47abe3fdd2a5ad6720213871a4085c8   # C13, "notifications: add SMS channel"
DOCS_SHA=e195f8db285b29f846984f4ffed042ab5bbc456e   # C7, the docs-only commit

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

fail=0
for n in 1 2; do
  "$here/make-sample-repo.sh" "$tmp/repo$n" > /dev/null
  got=$(git -C "$tmp/repo$n" rev-parse HEAD)
  if [[ $got != "$HEAD_SHA" ]]; then
    echo "FAIL: run $n HEAD is $got, expected $HEAD_SHA" >&2; fail=1
  fi
done

repo=$tmp/repo1
# wharf's plan as "NAME deploy|skip" lines sorted by name, as check-expected.sh prints it.
wharf_summary() {  # wharf_summary ARGS...
  (cd "$repo" && "$wharf" plan --json "$@") | python3 -c '
import json, sys
for s in sorted(json.load(sys.stdin)["services"], key=lambda s: s["name"]):
    print(s["name"], s["action"])'
}
check() {  # check NAME EXPECTED-FILE ARGS...
  local name=$1 want=$2; shift 2
  if diff -u "$want" <("$here/check-expected.sh" "$repo" "$@") > "$tmp/diff"; then
    echo "ok   $name"
  else
    echo "FAIL $name" >&2; cat "$tmp/diff" >&2; fail=1
  fi
  [[ -n $wharf ]] || return 0
  if diff -u "$want" <(wharf_summary "$@") > "$tmp/diff"; then
    echo "ok   wharf $name"
  else
    echo "FAIL wharf $name" >&2; cat "$tmp/diff" >&2; fail=1
  fi
}
check "plan --live live/dev.json"  "$here/expected-dev.txt"         --live "$repo/live/dev.json"
check "plan --live live/prod.json" "$here/expected-prod.txt"        --live "$repo/live/prod.json"
check "plan --since C7 (docs)"     "$here/expected-since-docs.txt"  --since "$DOCS_SHA"

[[ $fail -eq 0 ]] && echo "selftest passed (HEAD $HEAD_SHA)"
exit $fail
