#!/usr/bin/env bash
# Lockfile-aware fan-out's parsing cost (issue 16):
#   bash bench/lockfile_bench.sh [BENCH_BINARY] [WORK_DIR]
# BENCH_BINARY: build/bench/wharf_lockfile_bench (bench/lockfile_bench.cc over
# lockfile/); WORK_DIR: ${TMPDIR:-/tmp}/wharf-lockfile-bench, where
# gen_lockfile.py writes a ~5 MB pnpm-lock.yaml v9 (500 importers) and the
# same after one dependency bump, once.
#  1. parse both versions with one Parser (groups in parallel, shared between
#     the two), best of RUNS: together (Parser::parse_all, what a plan
#     should call) and one after the other. Bar: under 50 ms for both.
#  2. the same parsed whole, each version on its own (libyaml over all of it).
#  3. every importer's closure in both versions, compared (memoised per importer).
#  4. baseline: PyYAML's CSafeLoader (libyaml's C loader) on one version.
# Env: RUNS (10). Exit status: 0 = ran (the bar may have failed), 2 = hard error.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BIN=$(bench_abs_bin "${1:-$ROOT_DIR/build/bench/wharf_lockfile_bench}")
WORK=${2:-${TMPDIR:-/tmp}/wharf-lockfile-bench}
RUNS=${RUNS:-10}
[[ -x $BIN ]] || { echo "error: $BIN not built (cmake --build build --target wharf_lockfile_bench)" >&2; exit 2; }
mkdir -p "$WORK"
BEFORE=$WORK/before/pnpm-lock.yaml
AFTER=$WORK/after/pnpm-lock.yaml
if [[ ! -f $BEFORE || ! -f $AFTER ]]; then
  mkdir -p "$WORK/before" "$WORK/after"
  python3 "$BENCH_DIR/gen_lockfile.py" "$BEFORE" "$AFTER" --megabytes 5 --importers 500 --seed 1 > "$WORK/generated.txt"
fi
echo "== $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(cat "$WORK/generated.txt")"

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
GROUPED=$("$BIN" "$BEFORE" "$AFTER" --runs "$RUNS" 2> "$WORK/grouped.err") || { cat "$WORK/grouped.err" >&2; exit 2; }
WHOLE=$("$BIN" "$BEFORE" "$AFTER" --runs "$(( (RUNS + 1) / 2 ))" --whole 2> "$WORK/whole.err") || { cat "$WORK/whole.err" >&2; exit 2; }
echo "   grouped: $GROUPED"
echo "            $(grep -v '^apps/' "$WORK/grouped.err" || true)"
echo "   whole:   $WHOLE"
echo "   changed importer: $(grep '^apps/' "$WORK/grouped.err" || echo none)"

T_GROUPED=$(field "$GROUPED" parse_together_ms_best)
T_SEQUENTIAL=$(field "$GROUPED" parse_both_ms_best)
T_FIRST=$(field "$GROUPED" parse_first_ms_best)
T_WHOLE=$(field "$WHOLE" parse_both_ms_best)
T_CLOSURES=$(field "$GROUPED" closures_ms_best)
CHANGED=$(field "$GROUPED" importers_changed)

if python3 -c 'import yaml; yaml.CSafeLoader' 2> /dev/null; then
  T_PY=$(python3 - "$BEFORE" <<'PY'
import sys, time, yaml
text = open(sys.argv[1]).read()
best = None
for _ in range(2):
    start = time.perf_counter()
    yaml.load(text, Loader=yaml.CSafeLoader)
    t = (time.perf_counter() - start) * 1000
    best = t if best is None or t < best else best
print(f"{best:.1f}")
PY
)
  echo "   PyYAML CSafeLoader, one version: $T_PY ms"
else
  T_PY=""
  echo "   PyYAML with CSafeLoader is not installed (python3-yaml): no baseline"
fi

ms() { awk -v t="$1" 'BEGIN { printf "%.1f ms", t }'; }
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; then echo PASS; else echo FAIL; fi; }
summary_row "parse 5 MB at 2 commits" "$(ms "$T_GROUPED")" "$(ms "$T_WHOLE")" "$(fmt_ratio "$T_WHOLE" "$T_GROUPED")" "< 50 ms" "$(verdict "$T_GROUPED" 50)"
summary_row "  one after the other" "$(ms "$T_SEQUENTIAL")" "-" "-" "reported" "-"
summary_row "  first commit alone" "$(ms "$T_FIRST")" "-" "-" "reported" "-"
if [[ -n $T_PY ]]; then
  summary_row "parse vs PyYAML CSafeLoader x2" "$(ms "$T_GROUPED")" "$(ms "$(awk -v t="$T_PY" 'BEGIN { print 2 * t }')")" \
    "$(fmt_ratio "$(awk -v t="$T_PY" 'BEGIN { print 2 * t }')" "$T_GROUPED")" "reported" "-"
fi
summary_row "closures, 500 importers x 2" "$(ms "$T_CLOSURES")" "-" "-" "reported" "-"
summary_row "importers whose closure changed" "$CHANGED" "-" "-" "== 1" "$( [[ $CHANGED == 1 ]] && echo PASS || echo FAIL)"
print_summary
