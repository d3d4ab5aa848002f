#!/usr/bin/env bash
# Plans in a depth-1 CI clone (issue 18), on the benchmark repository served
# from a local bare remote (file://, so git packs and sends objects as over a
# network), repacked as a server's repository is:
#   full:    git clone (all history, a checkout, as fetch-depth: 0 does)
#            + wharf plan --live
#   shallow: git clone --depth=1 --filter=blob:none --no-checkout, then a
#            sparse checkout of wharf.toml alone (all a plan job needs)
#            + wharf plan --live --fetch-missing (each missing live commit, depth 1, no blobs)
# Prints both times and the bytes of objects each clone holds (what came over
# the wire: packs and loose objects, not the index or the work tree), and
# checks that the two plans are equal.
#   bash bench/shallow_bench.sh [WHARF_BINARY] [REPO_DIR]
# Env: RUNS (3). Exit status: 0 = ran (see the summary), 2 = hard error, 3 = plans differ.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WHARF=$(bench_abs_bin "${1:-$ROOT_DIR/build/wharf}")
REPO=${2:-${TMPDIR:-/tmp}/wharf-bench-repo}
RUNS=${RUNS:-3}
[[ -x $WHARF ]] || { echo "!! wharf binary not found: $WHARF" >&2; exit 2; }
bench_enter_repo shallow

remote=$RES/remote.git
git clone -q --bare "$REPO" "$remote"
# Packed as a server keeps it (git gc; GitHub repacks): versions of a file
# stored as deltas of each other. The generator writes every blob whole, so
# a fetch of old lockfile blobs would carry each whole (18 MB instead of 1.4).
git -C "$remote" repack -a -d -f -q
git -C "$remote" config uploadpack.allowFilter true
git -C "$remote" config uploadpack.allowAnySHA1InWant true
cp .wharf-bench/live.json "$RES/live.json"
n_bases=$(python3 -c 'import json, sys; print(len(set(json.load(open(sys.argv[1])).values())))' "$RES/live.json")
echo "== remote $remote ($(du -sh "$remote" | cut -f1)), HEAD $(git rev-parse --short HEAD)," \
  "$(git rev-list --count HEAD) commits, $n_bases distinct live SHAs"
echo "   $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(git --version)"

q() { printf '%q' "$1"; }
FULL="git clone -q file://$(q "$remote") $(q "$RES/full") && $(q "$WHARF") -C $(q "$RES/full") plan --json --live $(q "$RES/live.json") > $(q "$RES/full-plan.json")"
SHALLOW="git clone -q --depth=1 --filter=blob:none --no-checkout file://$(q "$remote") $(q "$RES/shallow") && git -C $(q "$RES/shallow") sparse-checkout set --no-cone /wharf.toml && git -C $(q "$RES/shallow") checkout -q && $(q "$WHARF") -C $(q "$RES/shallow") plan --json --live $(q "$RES/live.json") --fetch-missing 2> $(q "$RES/fetch.err") > $(q "$RES/shallow-plan.json")"

bench_time full "$RUNS" bash "$FULL" "rm -rf $(q "$RES/full")" || { echo "!! full clone + plan failed" >&2; exit 2; }
t_full=$BENCH_MIN
bench_time shallow "$RUNS" bash "$SHALLOW" "rm -rf $(q "$RES/shallow")" ||
  { echo "!! shallow clone + plan failed:" >&2; cat "$RES/fetch.err" >&2; exit 2; }
t_shallow=$BENCH_MIN
b_full=$(du -sb "$RES/full/.git/objects" | cut -f1)
b_shallow=$(du -sb "$RES/shallow/.git/objects" | cut -f1)
echo "   full:    best $(fmt_t "$t_full"), objects $((b_full / 1024)) KiB (.git $(du -sh "$RES/full/.git" | cut -f1))"
echo "   shallow: best $(fmt_t "$t_shallow"), objects $((b_shallow / 1024)) KiB (.git $(du -sh "$RES/shallow/.git" | cut -f1))" \
  "($(grep -c -- '->' "$RES/fetch.err" || true) commits fetched by wharf)"
same=0
if cmp -s "$RES/full-plan.json" "$RES/shallow-plan.json"; then
  same=1
  echo "   the plans are byte-identical ($(grep -c '"action": "deploy"' "$RES/full-plan.json") to deploy)"
else
  echo "!! the plans differ: diff $RES/full-plan.json $RES/shallow-plan.json" >&2
fi

summary_row "clone + plan time" "$(fmt_t "$t_shallow")" "$(fmt_t "$t_full")" "$(fmt_ratio "$t_full" "$t_shallow")" \
  "<= 1/10" "$(awk -v a="$t_shallow" -v b="$t_full" 'BEGIN { print (a * 10 <= b) ? "PASS" : "FAIL" }')"
summary_row "object bytes" "$((b_shallow / 1024)) KiB" "$((b_full / 1024)) KiB" "$(fmt_ratio "$b_full" "$b_shallow")" \
  "<= 1/20" "$(awk -v a="$b_shallow" -v b="$b_full" 'BEGIN { print (a * 20 <= b) ? "PASS" : "FAIL" }')"
summary_row "same plan" "-" "-" "-" "identical" "$( ((same)) && echo OK || echo DIFFERENT)"
print_summary
((same)) || exit 3
