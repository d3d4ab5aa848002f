#!/usr/bin/env bash
# Benchmark `wharf plan` against the runbook's git loops on a large synthetic monorepo.
#   bash bench/plan_bench.sh [WHARF_BINARY] [REPO_DIR]
# Defaults: build/wharf beside bench/, and ${TMPDIR:-/tmp}/wharf-bench-repo (generated
# with bench/gen_monorepo.py when absent). Env: WHARF_RUNS (30), LOOP_RUNS (3),
# WHARF_BENCH_NO_HYPERFINE=1 to time with a bash loop instead of hyperfine.
# Exit status: 0 = ran (bars may have failed, see the summary), 2 = hard error
# (missing/failing binary, broken repo), 3 = wharf's DEPLOY set differs from git's.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WHARF=$(bench_abs_bin "${1:-$ROOT_DIR/build/wharf}")
REPO=${2:-${TMPDIR:-/tmp}/wharf-bench-repo}
WHARF_RUNS=${WHARF_RUNS:-30}
LOOP_RUNS=${LOOP_RUNS:-3}

bench_enter_repo plan

hard_error=0
mismatch=0
have_wharf=1
if [[ ! -x $WHARF ]]; then
  echo "!! wharf binary not found or not executable: $WHARF (timing the baselines only)" >&2
  have_wharf=0
  hard_error=1
fi

SINCE=$(tr -d '[:space:]' < .wharf-bench/since.txt)
HEAD_SHA=$(git rev-parse HEAD)
python3 "$BENCH_DIR/bench_util.py" plan-input .wharf-bench/live.json .wharf-bench/inputs.tsv > "$RES/plan_live.tsv"
python3 "$BENCH_DIR/bench_util.py" uniform-input "$SINCE" .wharf-bench/inputs.tsv > "$RES/plan_since.tsv"
python3 "$BENCH_DIR/bench_util.py" prefix-map .wharf-bench/inputs.tsv > "$RES/prefix_map.tsv"
n_services=$(wc -l < "$RES/plan_live.tsv")

echo "== repo $REPO"
echo "   HEAD $HEAD_SHA, $(git rev-list --count HEAD) commits, $(git ls-files | wc -l) files, $n_services services"
echo "   since $SINCE ($(git rev-list --count "$SINCE..HEAD") commits back)"
echo "== wharf $WHARF"
echo "   $(nproc) CPUs, $(git --version), results in $RES"

q() { printf '%q' "$1"; }
# --lockfile whole: git's answer counts any lockfile change as a change for
# every service; bench/lockfile_plan_bench.sh measures the lockfile-aware plan.
WHARF_LIVE="$(q "$WHARF") plan --lockfile whole --json --live .wharf-bench/live.json"
WHARF_SINCE="$(q "$WHARF") plan --lockfile whole --json --since $SINCE"
LOOP_LIVE="bash $(q "$BENCH_DIR/git_plan_loop.sh") $(q "$RES/plan_live.tsv")"
AWK_SINCE="git diff --name-only --no-renames $SINCE HEAD | awk -f $(q "$BENCH_DIR/prefix_match.awk") $(q "$RES/prefix_map.tsv") -"

# run_wharf OUT ARGS...: one checked run; prints why on failure. Returns 0 if the
# output is a plan JSON (a non-zero exit status with a valid plan is reported, not fatal).
run_wharf() {
  local out=$1 rc=0
  shift
  "$WHARF" "$@" > "$out" 2> "$out.err" || rc=$?
  if ! python3 "$BENCH_DIR/bench_util.py" deploy-set "$out" > "$out.deploy" 2> "$out.why"; then
    echo "!! wharf $* failed (exit $rc): $(cat "$out.why")" >&2
    head -c 2000 "$out.err" | sed 's/^/   stderr: /' >&2
    return 1
  fi
  if ((rc != 0)); then
    echo "   note: wharf $* exited $rc but printed a valid plan" >&2
  fi
}

# same_deploy_set WHARF_JSON LOOP_DEPLOY: says whether wharf's DEPLOY set equals the git loop's;
# sets mismatch=1 when not.
same_deploy_set() {
  if python3 "$BENCH_DIR/bench_util.py" compare wharf "$1.deploy" git-loop "$2"; then
    echo "   DEPLOY sets agree ($(wc -l < "$1.deploy") services)"
  else
    mismatch=1
  fi
}

# ---------------------------------------------------------------- 1. --live vs git loop
echo
echo "== 1. plan --live: wharf vs one 'git diff --quiet' per service"
bash "$BENCH_DIR/git_plan_loop.sh" "$RES/plan_live.tsv" > "$RES/loop_live.out"
python3 "$BENCH_DIR/bench_util.py" loop-set "$RES/loop_live.out" > "$RES/loop_live.deploy"
echo "   git loop: $(wc -l < "$RES/loop_live.deploy") DEPLOY, $((n_services - $(wc -l < "$RES/loop_live.deploy"))) skip"
w_live="" l_live="" live_ok=0
if ((have_wharf)) && run_wharf "$RES/wharf_live.json" plan --lockfile whole --json --live .wharf-bench/live.json; then
  live_ok=1
  same_deploy_set "$RES/wharf_live.json" "$RES/loop_live.deploy"
  if bench_time wharf_live "$WHARF_RUNS" none "$WHARF_LIVE"; then
    w_live=$BENCH_MIN
    echo "   wharf    best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $WHARF_RUNS runs)"
  else
    echo "!! timing wharf plan --live failed" >&2
    hard_error=1
  fi
elif ((have_wharf)); then
  hard_error=1
fi
bench_time loop_live "$LOOP_RUNS" none "$LOOP_LIVE" || { echo "!! git loop failed" >&2; exit 2; }
l_live=$BENCH_MIN
echo "   git loop best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $LOOP_RUNS runs)"

# ---------------------------------------------------------------- 2. --since vs diff | awk
echo
echo "== 2. plan --since: wharf vs 'git diff --name-only | awk' prefix matching"
bash "$BENCH_DIR/git_plan_loop.sh" "$RES/plan_since.tsv" > "$RES/loop_since.out"
python3 "$BENCH_DIR/bench_util.py" loop-set "$RES/loop_since.out" > "$RES/loop_since.deploy"
bash -c "$AWK_SINCE" | sort > "$RES/awk_since.deploy"
echo "   exact (git loop, untimed): $(wc -l < "$RES/loop_since.deploy") DEPLOY;" \
  "awk prefix match: $(wc -l < "$RES/awk_since.deploy") (ignores excludes/globs, may over-count)"
w_since="" w_since_cold="" a_since=""
if ((have_wharf)) && run_wharf "$RES/wharf_since.json" plan --lockfile whole --json --since "$SINCE"; then
  same_deploy_set "$RES/wharf_since.json" "$RES/loop_since.deploy"
  if bench_time wharf_since "$WHARF_RUNS" none "$WHARF_SINCE"; then
    w_since=$BENCH_MIN
    echo "   wharf      best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $WHARF_RUNS runs; config snapshot kept)"
  else
    echo "!! timing wharf plan --since failed" >&2
    hard_error=1
  fi
  # The same with wharf.toml parsed every time: its snapshot removed first,
  # as on a fresh clone or after an edit to the config.
  if bench_time wharf_since_cold "$WHARF_RUNS" none "$WHARF_SINCE" "rm -rf .wharf/cache/config"; then
    w_since_cold=$BENCH_MIN
    echo "   wharf      best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $WHARF_RUNS runs; config parsed each run)"
  fi
  "$WHARF" plan --lockfile whole --json --stats --since "$SINCE" 2>&1 >/dev/null | sed -n 's/^wharf: stats: /   phases: /p'

elif ((have_wharf)); then
  hard_error=1
fi
bench_time awk_since "$WHARF_RUNS" bash "$AWK_SINCE" || { echo "!! git diff | awk failed" >&2; exit 2; }
a_since=$BENCH_MIN
echo "   diff|awk   best $(fmt_t "$BENCH_MIN") (mean $(fmt_t "$BENCH_MEAN"), $WHARF_RUNS runs)"

# ---------------------------------------------------------------- 3. peak RSS
echo
echo "== 3. peak RSS of wharf plan --live"
rss=""
if ((live_ok)); then
  if rss=$(bench_rss "$RES/rss_live.out" "$WHARF" plan --lockfile whole --json --live .wharf-bench/live.json); then
    if [[ -n $rss ]]; then
      echo "   $rss KiB ($(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MiB)"
    else
      echo "   /usr/bin/time not found: RSS not measured"
    fi
  else
    echo "!! wharf failed under /usr/bin/time" >&2
    hard_error=1
    rss=""
  fi
fi

# ---------------------------------------------------------------- summary
verdict() {  # verdict HAVE_VALUE CONDITION_CMD...
  if [[ -z $1 ]]; then echo "N/A"; return; fi
  shift
  if "$@"; then echo PASS; else echo FAIL; fi
}
summary_row "plan --live vs git-diff loop" "$(fmt_t "$w_live")" "$(fmt_t "$l_live")" \
  "$(fmt_ratio "$l_live" "$w_live")" ">= 20x" \
  "$(verdict "$w_live" ge "$(awk -v a="$l_live" -v b="${w_live:-1}" 'BEGIN { print a / b }')" 20)"
summary_row "plan --since vs diff|awk" "$(fmt_t "$w_since")" "$(fmt_t "$a_since")" \
  "$(fmt_ratio "$a_since" "$w_since")" ">= 1x" "$(verdict "$w_since" ge "$a_since" "${w_since:-0}")"
summary_row "  (config parsed each run)" "$(fmt_t "$w_since_cold")" "$(fmt_t "$a_since")" \
  "$(fmt_ratio "$a_since" "$w_since_cold")" "-" "$([[ -n $w_since_cold ]] && echo info || echo N/A)"
summary_row "peak RSS plan --live" \
  "$([[ -n $rss ]] && awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }' || echo -)" "-" "-" "< 50 MB" \
  "$(verdict "$rss" awk -v k="${rss:-0}" 'BEGIN { exit !(k * 1024 < 50e6) }')"
if ((have_wharf && live_ok)); then
  summary_row "DEPLOY sets wharf == git" "-" "-" "-" "equal" "$( ((mismatch)) && echo MISMATCH || echo OK)"
fi
print_summary

if ((hard_error)); then
  echo "hard error: see the !! lines above" >&2
  exit 2
fi
if ((mismatch)); then
  echo "MISMATCH: wharf and git disagree on what to deploy (see above)" >&2
  exit 3
fi
