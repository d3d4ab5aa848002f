#!/usr/bin/env bash
# Benchmark `wharf hash` on the large synthetic monorepo.
#   bash bench/hash_bench.sh [WHARF_BINARY] [REPO_DIR]
# Defaults as in plan_bench.sh. Env: WHARF_RUNS (5), BASE_RUNS (3),
# WHARF_BENCH_NO_HYPERFINE=1 to time with a bash loop instead of hyperfine.
#  1. cold: `wharf hash --json --cache-dir EMPTY_DIR` (a fresh empty cache before every
#     run; the OS page cache is warm) vs `git ls-files -z | xargs -0 xxhsum -H2`.
#  2. warm: `wharf hash --json` again with the cache of a previous run vs
#     `git status --porcelain` (without git's untracked cache) and vs
#     `git -c core.untrackedCache=true status --porcelain` (with it, warm);
#     medians, and CPU use as (user + sys) / wall.
#  2b. --worktree: `wharf plan --since HEAD~10 --worktree` (warm cache) vs the
#     same two.
#  3. peak RSS of a cold and of a warm run.
# Bars (issue 17): warm hash <= 0.6x and plan --worktree <= 0.7x of git
# status's median, neither slower than git with its untracked cache. The
# untracked cache git writes into the index for its row is dropped again
# (core.untrackedCache=false) so the plain row and later runs stay plain.
# Exit status: 0 = ran (bars may have failed), 2 = hard error (missing binary,
# `wharf hash` failing or printing something that is not JSON).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WHARF=$(bench_abs_bin "${1:-$ROOT_DIR/build/wharf}")
REPO=${2:-${TMPDIR:-/tmp}/wharf-bench-repo}
WHARF_RUNS=${WHARF_RUNS:-5}
BASE_RUNS=${BASE_RUNS:-3}

bench_enter_repo hash
if [[ -z $(git ls-files -- wharf.toml) || ! -f wharf.toml ]]; then
  echo "error: $REPO has no checked-out work tree (generated with --no-checkout?)" >&2
  exit 2
fi

# Cache folders live outside the repository so that they never show up in its tree.
CACHE_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/wharf-hash-cache.XXXXXX")
trap 'rm -rf "$CACHE_ROOT"' EXIT
COLD=$CACHE_ROOT/cold
WARM=$CACHE_ROOT/warm
printf 'rm -rf %q && mkdir -p %q\n' "$COLD" "$COLD" > "$RES/fresh_cache.sh"

hard_error=0
have_wharf=1
if [[ ! -x $WHARF ]]; then
  echo "!! wharf binary not found or not executable: $WHARF (timing the baselines only)" >&2
  have_wharf=0
  hard_error=1
fi

echo "== repo $REPO"
echo "   HEAD $(git rev-parse HEAD), $(git ls-files | wc -l) files," \
  "$(git ls-files -z | du -ch --files0-from=- --apparent-size 2>/dev/null | tail -n 1 | cut -f1) in the work tree"
echo "== wharf $WHARF"
echo "   $(nproc) CPUs, $(git --version), $(xxhsum --version 2>&1 | head -n 1 | cut -d' ' -f1-2), results in $RES"

q() { printf '%q' "$1"; }
WHARF_COLD="$(q "$WHARF") hash --json --cache-dir $(q "$COLD")"
WHARF_WARM="$(q "$WHARF") hash --json --cache-dir $(q "$WARM")"
WHARF_WORKTREE="$(q "$WHARF") plan --since HEAD~10 --worktree --cache-dir $(q "$WARM")"
STATUS_UC="git -c core.untrackedCache=true status --porcelain"
XXH_ALL="git ls-files -z | xargs -0 xxhsum -H2 > /dev/null"
STATUS="git status --porcelain"

# check_hash OUT CACHE: one run of wharf hash; 0 if it exits 0 and prints JSON.
check_hash() {
  local out=$1 cache=$2 rc=0
  "$WHARF" hash --json --cache-dir "$cache" > "$out" 2> "$out.err" || rc=$?
  if ((rc != 0)); then
    echo "!! 'wharf hash --json --cache-dir $cache' failed with exit status $rc:" >&2
    head -c 2000 "$out.err" | sed 's/^/   stderr: /' >&2
    return 1
  fi
  if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" 2> "$out.why"; then
    echo "!! 'wharf hash --json' printed something that is not JSON: $(tail -n 1 "$out.why")" >&2
    return 1
  fi
}

# ---------------------------------------------------------------- sanity runs
hash_ok=0
cold_rss="" warm_rss="" same_output=""
if ((have_wharf)); then
  mkdir -p "$COLD" "$WARM"
  if check_hash "$RES/hash_cold.json" "$WARM" && check_hash "$RES/hash_warm.json" "$WARM"; then
    hash_ok=1
    if cmp -s "$RES/hash_cold.json" "$RES/hash_warm.json"; then
      same_output=OK
    else
      same_output=DIFFERENT
      echo "!!!!!!!! cold and warm 'wharf hash --json' outputs differ (stats fields, or a cache bug?) !!!!!!!!"
      diff "$RES/hash_cold.json" "$RES/hash_warm.json" | head -n 20 || true
    fi
  else
    hard_error=1
  fi
fi

# ---------------------------------------------------------------- 1. cold
echo
echo "== 1. cold: wharf hash (empty cache) vs git ls-files | xargs xxhsum -H2"
w_cold=""
if ((hash_ok)); then
  if bench_time wharf_cold "$WHARF_RUNS" none "$WHARF_COLD" "bash $(q "$RES/fresh_cache.sh")"; then
    w_cold=$BENCH_MIN
    echo "   wharf  best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $WHARF_RUNS runs)"
  else
    echo "!! timing cold wharf hash failed" >&2
    hard_error=1
  fi
fi
bench_time xxhsum_all "$BASE_RUNS" bash "$XXH_ALL" || { echo "!! git ls-files | xxhsum failed" >&2; exit 2; }
b_cold=$BENCH_MIN
echo "   xxhsum best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $BASE_RUNS runs)"

# ---------------------------------------------------------------- 2. warm
echo
echo "== 2. warm: wharf hash (cache of a previous run) vs git status --porcelain (plain, and with its untracked cache)"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# "median (cpu x)" of the last bench_time.
med_cpu() { echo "$(fmt_t "$BENCH_MEDIAN") median (cpu ${BENCH_CPU:-?}x, best $(fmt_t "$BENCH_MIN"), $1 runs)"; }
w_warm="" w_warm_cpu=""
if ((hash_ok)); then
  if bench_time wharf_warm "$WHARF_RUNS" none "$WHARF_WARM"; then
    w_warm=$BENCH_MEDIAN w_warm_cpu=$BENCH_CPU
    echo "   wharf hash         $(med_cpu "$WHARF_RUNS")"
  else
    echo "!! timing warm wharf hash failed" >&2
    hard_error=1
  fi
fi
drop_untracked_cache() { git -c core.untrackedCache=false status --porcelain > /dev/null; }
drop_untracked_cache
git status --porcelain > "$RES/status.out"
if [[ -s $RES/status.out ]]; then
  echo "   note: the work tree is not clean ($(wc -l < "$RES/status.out") lines of git status)"
fi
bench_time git_status "$WHARF_RUNS" none "$STATUS" || { echo "!! git status failed" >&2; exit 2; }
b_warm=$BENCH_MEDIAN
echo "   git status         $(med_cpu "$WHARF_RUNS")"
# The warm-up run writes the untracked cache into the index; the timed runs use it.
bench_time git_status_uc "$WHARF_RUNS" none "$STATUS_UC" || { drop_untracked_cache; echo "!! git status (untracked cache) failed" >&2; exit 2; }
b_uc=$BENCH_MEDIAN
drop_untracked_cache
echo "   git status (uc)    $(med_cpu "$WHARF_RUNS")"

# ---------------------------------------------------------------- 2b. --worktree
echo
echo "== 2b. wharf plan --since HEAD~10 --worktree (warm cache) vs the same git status rows"
w_tree="" w_tree_cpu=""
if ((hash_ok)); then
  if bench_time wharf_worktree "$WHARF_RUNS" none "$WHARF_WORKTREE"; then
    w_tree=$BENCH_MEDIAN w_tree_cpu=$BENCH_CPU
    echo "   plan --worktree    $(med_cpu "$WHARF_RUNS")"
  else
    echo "!! timing wharf plan --worktree failed" >&2
    hard_error=1
  fi
fi
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 3. RSS
echo
echo "== 3. peak RSS of wharf hash"
if ((hash_ok)); then
  bash "$RES/fresh_cache.sh"
  if cold_rss=$(bench_rss "$RES/rss_cold.out" "$WHARF" hash --json --cache-dir "$COLD") &&
    warm_rss=$(bench_rss "$RES/rss_warm.out" "$WHARF" hash --json --cache-dir "$COLD"); then
    echo "   cold ${cold_rss:-?} KiB, warm ${warm_rss:-?} KiB"
  else
    echo "!! wharf hash failed under /usr/bin/time" >&2
    hard_error=1
    cold_rss="" warm_rss=""
  fi
fi

# ---------------------------------------------------------------- summary
verdict() {  # verdict HAVE_VALUE CONDITION_CMD...
  if [[ -z $1 ]]; then echo "N/A"; return; fi
  shift
  if "$@"; then echo PASS; else echo FAIL; fi
}
mib() { [[ -n $1 ]] && awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }' || echo -; }
summary_row "hash cold vs ls-files|xxhsum" "$(fmt_t "$w_cold")" "$(fmt_t "$b_cold")" \
  "$(fmt_ratio "$b_cold" "$w_cold")" ">= 1.5x" \
  "$(verdict "$w_cold" ge "$(awk -v a="$b_cold" -v b="${w_cold:-1}" 'BEGIN { print a / b }')" 1.5)"
# le_times A B F: exit 0 if A <= F * B.
le_times() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { exit !(a <= f * b) }'; }
summary_row "hash warm / git status (cpu ${w_warm_cpu:-?}x)" "$(fmt_t "$w_warm")" "$(fmt_t "$b_warm")" \
  "$(fmt_ratio "$w_warm" "$b_warm")" "<= 0.6x" "$(verdict "$w_warm" le_times "${w_warm:-0}" "$b_warm" 0.6)"
summary_row "hash warm / git status (uc)" "$(fmt_t "$w_warm")" "$(fmt_t "$b_uc")" \
  "$(fmt_ratio "$w_warm" "$b_uc")" "<= 1x" "$(verdict "$w_warm" le_times "${w_warm:-0}" "$b_uc" 1)"
summary_row "plan --worktree / git status (cpu ${w_tree_cpu:-?}x)" "$(fmt_t "$w_tree")" "$(fmt_t "$b_warm")" \
  "$(fmt_ratio "$w_tree" "$b_warm")" "<= 0.7x" "$(verdict "$w_tree" le_times "${w_tree:-0}" "$b_warm" 0.7)"
summary_row "plan --worktree / git status (uc)" "$(fmt_t "$w_tree")" "$(fmt_t "$b_uc")" \
  "$(fmt_ratio "$w_tree" "$b_uc")" "<= 1x" "$(verdict "$w_tree" le_times "${w_tree:-0}" "$b_uc" 1)"
summary_row "peak RSS hash cold" "$(mib "$cold_rss")" "-" "-" "(reported)" "$([[ -n $cold_rss ]] && echo info || echo N/A)"
summary_row "peak RSS hash warm" "$(mib "$warm_rss")" "-" "-" "(reported)" "$([[ -n $warm_rss ]] && echo info || echo N/A)"
if ((hash_ok)); then
  summary_row "hash output cold == warm" "-" "-" "-" "equal" "$same_output"
fi
print_summary

if ((hard_error)); then
  echo "hard error: see the !! lines above" >&2
  exit 2
fi
