#!/usr/bin/env bash
# Lockfile-aware fan-out on the benchmark repository (issue 16).
#   bash bench/lockfile_plan_bench.sh [WHARF_BINARY] [REPO_DIR]
# 1. For every lockfile commit C of the history (subjects "deps: ..."), how
#    many services `wharf plan --since C^ --head C` deploys with --lockfile
#    auto, and with --lockfile whole: what a script that diffs files (the
#    runbook's) deploys.
# 2. What lockfile awareness adds to a plan of the last direct bump: the plan
#    with no parsed lockfile in its cache (a fresh cache directory each run)
#    and with them kept (the next run), each beside the same plan with
#    --lockfile whole; as a baseline, PyYAML (CSafeLoader, libyaml's C
#    loader) loading the two lockfile versions, as a script would.
# Env: RUNS (20). Exit status: 0 = ran (see the summary), 2 = hard error.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WHARF=$(bench_abs_bin "${1:-$ROOT_DIR/build/wharf}")
REPO=${2:-${TMPDIR:-/tmp}/wharf-bench-repo}
RUNS=${RUNS:-20}
[[ -x $WHARF ]] || { echo "!! wharf binary not found: $WHARF" >&2; exit 2; }
bench_enter_repo lockfile

mapfile -t commits < <(git log --reverse --format='%H' --grep '^deps: ')
((${#commits[@]})) || { echo "!! no lockfile commits in $REPO (regenerate it with bench/gen_monorepo.py)" >&2; exit 2; }
n_services=$(git show HEAD:wharf.toml | grep -c '^\[service\.')
echo "== repo $REPO: ${#commits[@]} lockfile commits, $n_services services," \
  "pnpm-lock.yaml $(git cat-file -s HEAD:pnpm-lock.yaml) bytes"
echo "   $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

deploys() {  # deploys JSON_FILE: the number of services to deploy
  python3 -c 'import json, sys; print(sum(s["action"] == "deploy" for s in json.load(open(sys.argv[1]))["services"]))' "$1"
}

echo
echo "== 1. services deployed per lockfile commit"
printf '   %-9s %-55s %6s %6s\n' commit subject auto whole
total_auto=0 total_whole=0 last_direct=""
for c in "${commits[@]}"; do
  "$WHARF" plan --json --lockfile auto --since "$c^" --head "$c" > "$RES/auto.json" 2> "$RES/auto.err" ||
    { echo "!! wharf plan failed at $c:" >&2; head -c 2000 "$RES/auto.err" >&2; exit 2; }
  "$WHARF" plan --json --lockfile whole --since "$c^" --head "$c" > "$RES/whole.json" 2> "$RES/whole.err" ||
    { echo "!! wharf plan --lockfile whole failed at $c" >&2; exit 2; }
  a=$(deploys "$RES/auto.json") w=$(deploys "$RES/whole.json")
  total_auto=$((total_auto + a)) total_whole=$((total_whole + w))
  subject=$(git log -1 --format=%s "$c")
  [[ $subject == *"bump npm dependencies of svc-"* ]] && last_direct=$c
  printf '   %-9s %-55.55s %6d %6d\n' "${c:0:9}" "$subject" "$a" "$w"
done
echo "   total: $total_auto deploys with lockfile awareness, $total_whole without"

echo
echo "== 2. time added to a plan (--since C^ --head C, C = ${last_direct:0:9})"
[[ -n $last_direct ]] || { echo "!! no direct bump of a service among the lockfile commits" >&2; exit 2; }
cold=$RES/cache-cold warm=$RES/cache-warm
plan_cmd() {  # plan_cmd MODE CACHE_DIR
  printf '%q --cache-dir %q plan --json --lockfile %s --since %s^ --head %s' "$WHARF" "$2" "$1" "$last_direct" "$last_direct"
}
"$WHARF" --cache-dir "$warm" plan --json --since "$last_direct^" --head "$last_direct" > /dev/null 2>&1
declare -A best
for mode in auto whole; do
  bench_time "${mode}_cold" "$RUNS" none "$(plan_cmd "$mode" "$cold")" "rm -rf $(printf %q "$cold")" ||
    { echo "!! timing $mode (cold) failed" >&2; exit 2; }
  best[${mode}_cold]=$BENCH_MIN
  bench_time "${mode}_warm" "$RUNS" none "$(plan_cmd "$mode" "$warm")" || { echo "!! timing $mode failed" >&2; exit 2; }
  best[${mode}_warm]=$BENCH_MIN
done
"$WHARF" --cache-dir "$warm" plan --json --stats --since "$last_direct^" --head "$last_direct" 2>&1 >/dev/null |
  sed -n 's/^wharf: stats: /   stats: /p'
for state in cold warm; do
  echo "   $state: auto $(fmt_t "${best[auto_$state]}"), whole $(fmt_t "${best[whole_$state]}")," \
    "added $(awk -v a="${best[auto_$state]}" -v b="${best[whole_$state]}" 'BEGIN { printf "%.1f ms", (a - b) * 1000 }')"
done
git show "$last_direct^:pnpm-lock.yaml" > "$RES/old.yaml"
git show "$last_direct:pnpm-lock.yaml" > "$RES/new.yaml"
pyyaml=""
if python3 -c 'import yaml; yaml.CSafeLoader' 2> /dev/null; then
  bench_time pyyaml 3 none "python3 -c 'import sys, yaml; [yaml.load(open(f), Loader=yaml.CSafeLoader) for f in sys.argv[1:]]' $RES/old.yaml $RES/new.yaml" ||
    { echo "!! timing PyYAML failed" >&2; exit 2; }
  pyyaml=$BENCH_MIN
  echo "   baseline: PyYAML CSafeLoader loading both versions $(fmt_t "$pyyaml")"
else
  echo "   baseline: python3-yaml is not installed (apt-get install python3-yaml)"
fi

added_cold=$(awk -v a="${best[auto_cold]}" -v b="${best[whole_cold]}" 'BEGIN { print a - b }')
added_warm=$(awk -v a="${best[auto_warm]}" -v b="${best[whole_warm]}" 'BEGIN { print a - b }')
summary_row "deploys over the lockfile commits" "$total_auto" "$total_whole" \
  "$(awk -v a="$total_whole" -v b="$total_auto" 'BEGIN { printf "%.1fx fewer", a / (b ? b : 1) }')" "fewer" \
  "$( ((total_auto < total_whole)) && echo PASS || echo FAIL)"
summary_row "added by parsing (no cache)" "$(fmt_t "$added_cold")" "-" \
  "$([[ -n $pyyaml ]] && fmt_ratio "$pyyaml" "${best[auto_cold]}" || echo -)" "< 50 ms" \
  "$(awk -v a="$added_cold" 'BEGIN { print (a < 0.050) ? "PASS" : "FAIL" }')"
summary_row "added on the next run (cached)" "$(fmt_t "$added_warm")" "-" "-" "~0" \
  "$(awk -v a="$added_warm" 'BEGIN { print (a < 0.003) ? "PASS" : "FAIL" }')"
print_summary
