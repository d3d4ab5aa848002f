#!/usr/bin/env bash
# Benchmark reading an environment's live SHAs on the 500-service bench repo:
#   1. `wharf plan --env` with an `http` source (a local health server, one URL
#      per service) vs `curl --parallel` fetching the same 500 URLs;
#   2. the same with a `command` source vs running the 500 commands with
#      `xargs -P`.
#   bash bench/env_bench.sh [WHARF_BINARY] [REPO_DIR]
# Defaults as bench/plan_bench.sh. Env: RUNS (10). The health server is
# tests/testing/health_server.py, started here on 127.0.0.1 and stopped by PID.
# Both sides get the same parallelism: 64 transfers, 32 commands at once.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WHARF=$(bench_abs_bin "${1:-$ROOT_DIR/build/wharf}")
REPO=${2:-${TMPDIR:-/tmp}/wharf-bench-repo}
RUNS=${RUNS:-10}
[[ -x $WHARF ]] || { echo "wharf binary not found: $WHARF" >&2; exit 2; }

bench_enter_repo env

# The live state: .wharf-bench/live.json (service -> SHA) served over HTTP,
# and one file per service for the commands.
python3 -c '
import json, sys
live = json.load(open(".wharf-bench/live.json"))
names = [l.split("\t")[0] for l in open(".wharf-bench/inputs.tsv") if l.strip()]
names = sorted(set(names))
json.dump({n: live.get(n, live[next(iter(live))]) for n in names}, open(sys.argv[1] + "/state.json", "w"))
open(sys.argv[1] + "/services.txt", "w").write("\n".join(names) + "\n")
' "$RES"
mkdir -p "$RES/live"
python3 -c '
import json, sys
for n, sha in json.load(open(sys.argv[1] + "/state.json")).items():
    open(sys.argv[1] + "/live/" + n, "w").write(sha + "\n")
' "$RES"
n_services=$(wc -l < "$RES/services.txt")

setsid /usr/bin/python3 "$ROOT_DIR/tests/testing/health_server.py" "$RES/port" "$RES/state.json" \
  > "$RES/server.log" 2>&1 < /dev/null &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do [[ -s $RES/port ]] && break; sleep 0.05; done
kill -0 "$SERVER_PID" || { echo "the health server did not start" >&2; cat "$RES/server.log" >&2; exit 2; }
PORT=$(cat "$RES/port")
BASE="http://127.0.0.1:$PORT"

cp wharf.toml "$RES/env.toml"
cat >> "$RES/env.toml" <<TOML

[environment.bench-http]
source = "http"
url = "$BASE/{service}/health"
timeout = "60s"
deadline = "120s"

[environment.bench-cmd]
source = "command"
command = "cat $RES/live/{service}"
timeout = "60s"
deadline = "120s"
TOML
sed "s|.*|url = \"$BASE/&/health\"\noutput = \"/dev/null\"|" "$RES/services.txt" > "$RES/curl.cfg"

q() { printf '%q' "$1"; }
WHARF_HTTP="$(q "$WHARF") --config $(q "$RES/env.toml") plan --json --env bench-http"
WHARF_CMD="$(q "$WHARF") --config $(q "$RES/env.toml") plan --json --env bench-cmd"
CURL="curl --parallel --parallel-max 64 -sf -K $(q "$RES/curl.cfg")"
XARGS="xargs -P 32 -I{} sh -c 'cat $(q "$RES/live")/{}' < $(q "$RES/services.txt") > /dev/null"

echo "== repo $REPO: $n_services services; server $BASE (pid $SERVER_PID)"
echo "   $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs each (best of)"

# Both wharf runs must read every service: no errors, one live value each.
for env in bench-http bench-cmd; do
  "$WHARF" --config "$RES/env.toml" plan --json --env "$env" > "$RES/$env.json" 2> "$RES/$env.err" ||
    { echo "!! wharf plan --env $env failed:" >&2; head -c 2000 "$RES/$env.err" >&2; exit 2; }
  read_ok=$(python3 -c '
import json, sys
plan = json.load(open(sys.argv[1]))
print(sum(1 for s in plan["services"] if s.get("live", {}).get("value") and not s["live"].get("error")))
' "$RES/$env.json")
  echo "   $env: $read_ok of $n_services live values read"
  [[ $read_ok == "$n_services" ]] || { echo "!! not every live value was read" >&2; exit 2; }
done

bench_time wharf_http "$RUNS" none "$WHARF_HTTP" || { echo "!! timing wharf (http) failed" >&2; exit 2; }
w_http=$BENCH_MIN
bench_time curl "$RUNS" bash "$CURL" || { echo "!! timing curl failed" >&2; exit 2; }
c_http=$BENCH_MIN
bench_time wharf_cmd "$RUNS" none "$WHARF_CMD" || { echo "!! timing wharf (command) failed" >&2; exit 2; }
w_cmd=$BENCH_MIN
bench_time xargs "$RUNS" bash "$XARGS" || { echo "!! timing xargs failed" >&2; exit 2; }
x_cmd=$BENCH_MIN

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
r_http=$(ratio "$w_http" "$c_http")
r_cmd=$(ratio "$w_cmd" "$x_cmd")
verdict() { awk -v r="$1" -v bar="$2" 'BEGIN { print (r < bar ? "PASS" : "FAIL") }'; }
summary_row "plan --env (http) vs curl --parallel" "$(fmt_t "$w_http")" "$(fmt_t "$c_http")" "${r_http}x" \
  "< 2x" "$(verdict "$r_http" 2)"
summary_row "plan --env (command) vs xargs -P 32" "$(fmt_t "$w_cmd")" "$(fmt_t "$x_cmd")" "${r_cmd}x" \
  "< 1.5x" "$(verdict "$r_cmd" 1.5)"
print_summary
echo "   (ratio = wharf / baseline; lower is better; load at the end $(cut -d' ' -f1-3 /proc/loadavg))"
