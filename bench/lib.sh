# shellcheck shell=bash
# Helpers shared by bench/plan_bench.sh and bench/hash_bench.sh (sourced, not run).
# Needs: BENCH_DIR (this folder), RES (folder for result files).
# shellcheck disable=SC2034,SC2153  # BENCH_MIN/BENCH_MEAN are read by the caller; BENCH_DIR is set by it

# Make $1 an absolute path to an existing file, or a command found on PATH.
bench_abs_bin() {
  local b=$1
  if [[ $b == */* ]]; then
    [[ -e $b ]] || { echo "$b"; return 0; }
    echo "$(cd "$(dirname "$b")" && pwd)/$(basename "$b")"
  else
    command -v "$b" 2>/dev/null || echo "$b"
  fi
}

# Generate the default benchmark repository into $1 unless it is already there.
bench_ensure_repo() {
  local repo=$1
  if [[ -f $repo/.wharf-bench/inputs.tsv && -f $repo/.wharf-bench/live.json ]]; then
    return 0
  fi
  if [[ -e $repo && -n $(ls -A "$repo" 2>/dev/null) ]]; then
    echo "error: $repo exists but is not a generated benchmark repository (no .wharf-bench/)" >&2
    return 2
  fi
  echo "== generating benchmark repository in $repo (bench/gen_monorepo.py, seed 1)"
  python3 "$BENCH_DIR/gen_monorepo.py" "$repo"
}

# bench_enter_repo NAME: makes $REPO (generating it when absent) absolute,
# empties $RES = $REPO/.wharf-bench/results/NAME and changes into $REPO.
bench_enter_repo() {
  bench_ensure_repo "$REPO" || exit 2
  REPO=$(cd "$REPO" && pwd)
  RES=$REPO/.wharf-bench/results/$1
  rm -rf "$RES"
  mkdir -p "$RES"
  cd "$REPO"
}

# bench_time NAME RUNS SHELL CMD [PREPARE]
#   Times CMD (a string; SHELL is "none" to exec it directly, or a shell such as "bash")
#   RUNS times after one warm-up run, PREPARE (a command string) before each run.
#   Sets BENCH_MIN and BENCH_MEAN (seconds). Uses hyperfine when present (exports
#   $RES/NAME.json), else a bash loop on $EPOCHREALTIME. Returns 1 if CMD fails.
bench_time() {
  local name=$1 runs=$2 shell=$3 cmd=$4 prepare=${5:-}
  BENCH_MIN=""
  BENCH_MEAN=""
  BENCH_MEDIAN=""
  BENCH_CPU=""  # (user + sys) / wall, hyperfine only
  if [[ -z ${WHARF_BENCH_NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null; then
    local args=(--style none --runs "$runs" --warmup 1 --export-json "$RES/$name.json")
    if [[ $shell == none ]]; then args+=(-N); else args+=(--shell "$shell"); fi
    [[ -n $prepare ]] && args+=(--prepare "$prepare")
    if ! hyperfine "${args[@]}" "$cmd" > "$RES/$name.hyperfine.txt" 2>&1; then
      sed 's/^/    /' "$RES/$name.hyperfine.txt" >&2
      return 1
    fi
    read -r BENCH_MIN BENCH_MEAN BENCH_MEDIAN BENCH_CPU < <(python3 "$BENCH_DIR/bench_util.py" hf-stats "$RES/$name.json")
  else
    local i t0 t1 d best="" sum=0
    for ((i = 0; i <= runs; i++)); do
      if [[ -n $prepare ]]; then eval "$prepare" >/dev/null 2>&1 || return 1; fi
      t0=${EPOCHREALTIME/[.,]/}
      if [[ $shell == none ]]; then
        eval "$cmd" >/dev/null 2>&1 || return 1
      else
        "$shell" -c "$cmd" >/dev/null 2>&1 || return 1
      fi
      t1=${EPOCHREALTIME/[.,]/}
      ((i == 0)) && continue  # warm-up
      d=$((t1 - t0))
      sum=$((sum + d))
      if [[ -z $best ]] || ((d < best)); then best=$d; fi
    done
    BENCH_MIN=$(awk -v u="$best" 'BEGIN { printf "%.6f", u / 1e6 }')
    BENCH_MEAN=$(awk -v u="$sum" -v n="$runs" 'BEGIN { printf "%.6f", u / n / 1e6 }')
    BENCH_MEDIAN=$BENCH_MEAN
  fi
}

# bench_rss OUTFILE CMD...: runs CMD once under /usr/bin/time, prints peak RSS in KiB.
bench_rss() {
  local out=$1
  shift
  if [[ ! -x /usr/bin/time ]]; then
    echo ""
    return 0
  fi
  /usr/bin/time -f %M -o "$out.rss" "$@" > "$out" 2> "$out.err" || return 1
  tail -n 1 "$out.rss"
}

# Formatting: seconds -> "12.3 ms" / "1.23 s"; ratio a/b -> "12.3x".
fmt_t() {
  [[ -z $1 ]] && { echo "-"; return; }
  awk -v t="$1" 'BEGIN { if (t < 1) printf "%.1f ms", t * 1000; else printf "%.2f s", t }'
}
fmt_ratio() {
  [[ -z $1 || -z $2 ]] && { echo "-"; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else if (a / b < 10) printf "%.2fx", a / b; else printf "%.1fx", a / b }'
}
# ge A B: exit 0 if A >= B (floats).
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

SUMMARY_ROWS=()
# summary_row CHECK WHARF BASELINE RATIO BAR RESULT
summary_row() {
  SUMMARY_ROWS+=("$(printf '%-34s %11s %11s %8s %-13s %s' "$@")")
}
print_summary() {
  echo
  echo "== summary"
  printf '%-34s %11s %11s %8s %-13s %s\n' "check" "wharf" "baseline" "ratio" "bar" "result"
  printf '%s\n' "---------------------------------------------------------------------------------------"
  printf '%s\n' "${SUMMARY_ROWS[@]}"
}
