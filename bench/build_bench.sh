#!/usr/bin/env bash
# Benchmark `wharf build` on the large synthetic monorepo (bench/gen_monorepo.py).
#   bash bench/build_bench.sh [WHARF_BINARY] [REPO_DIR]
# A config beside the repository's (same services, each with a zip of its
# first path, and an image for every tenth: a deps layer of one package and a
# code layer) is written to the results folder and passed with --config.
#  1. cold build of 20 services, each zipping its directory and packages/
#     (a fresh cache): wall time, CPU utilisation
#     ((user+sys) / (wall x cores)) and peak RSS, from /usr/bin/time;
#  2. an all-hit `wharf build` of every service (500 in the default repo:
#     each a cache hit, exported again) vs a warm `wharf hash` of the same
#     config: the bar is under 2x.
# Env: WHARF_RUNS (5). Exit status: 0 ran (bars may have failed), 2 hard error.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

WHARF=$(bench_abs_bin "${1:-$ROOT_DIR/build/wharf}")
REPO=${2:-${TMPDIR:-/tmp}/wharf-bench-repo}
WHARF_RUNS=${WHARF_RUNS:-5}
[[ -x $WHARF ]] || { echo "error: wharf binary not found: $WHARF" >&2; exit 2; }

bench_enter_repo build
CACHE_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/wharf-build-cache.XXXXXX")
OUT=$CACHE_ROOT/out
trap 'rm -rf "$CACHE_ROOT"' EXIT

# The artifact config: each service zips its first path; every tenth is an
# image instead (deps layer: packages/pkg-001, code layer: its path).
CONFIG=$RES/wharf-build.toml
CONFIG20=$RES/wharf-build-20.toml
python3 - "$REPO/wharf.toml" "$CONFIG" "$CONFIG20" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
services = re.findall(r'^\[service\.([^\]]+)\]\npaths = \["([^"]+)"', text, re.M)
# The 20-service config: each a zip of its directory and of packages/
# (12,712 files), so packing, not fsync, is what the cores do.
big = [text, "\n"]
for name, path in services[:20]:
    big.append(f'[service.{name}.zip]\nfiles = [{{ from = "{path}", to = "" }}, '
               f'{{ from = "packages", to = "node_modules" }}]\n\n')
open(sys.argv[3], "w").write("".join(big))
out = [text, "\n"]
for i, (name, path) in enumerate(services):
    if i % 10 == 9:
        out.append(f'[service.{name}.image]\nentrypoint = ["node", "index.js"]\n'
                   f'[[service.{name}.image.layers]]\nname = "deps"\nfiles = [{{ from = "packages/pkg-001", to = "app/node_modules/pkg-001" }}]\n'
                   f'[[service.{name}.image.layers]]\nname = "code"\nfiles = [{{ from = "{path}", to = "app" }}]\n\n')
    else:
        # (one service of the bench repo has a symlink leaving its directory)
        out.append(f'[service.{name}.zip]\nfiles = [{{ from = "{path}", to = "", exclude = ["**/config/npmrc"] }}]\n\n')
open(sys.argv[2], "w").write("".join(out))
PY
SERVICES=$(grep -c '^\[service\.[^].]*\]$' "$CONFIG")
FIRST20=$(awk -F'[][.]' '/^\[service\.[^].]*\]$/ && n < 20 { printf "%s%s", (n++ ? "," : ""), $3 }' "$CONFIG")

echo "== repo $REPO: $SERVICES services, $(git ls-files | wc -l) files; $(nproc) CPUs"
echo "== wharf $WHARF; results in $RES"
q() { printf '%q' "$1"; }
W="$(q "$WHARF") --config $(q "$CONFIG")"

# 1. Cold build of 20 services (their zips hold packages/ too).
rm -rf "$CACHE_ROOT/cold"
/usr/bin/time -f '%e %U %S %M' -o "$RES/cold20.time" \
  bash -c "$(q "$WHARF") --config $(q "$CONFIG20") build --json --progress none --cache-dir $(q "$CACHE_ROOT/cold") --out $(q "$OUT") --services $FIRST20" \
  > "$RES/cold20.json" 2> "$RES/cold20.err" || { cat "$RES/cold20.err" >&2; exit 2; }
read -r wall user sys rss < "$RES/cold20.time"
built=$(python3 -c 'import json,sys; print(sum(s["status"]=="built" for s in json.load(open(sys.argv[1]))["services"]))' "$RES/cold20.json")
util=$(awk -v w="$wall" -v u="$user" -v s="$sys" -v n="$(nproc)" 'BEGIN { printf "%.0f%%", (u + s) / (w * n) * 100 }')
echo "-- cold build of 20 services: $built built in ${wall} s, user ${user} s + sys ${sys} s: CPU utilisation $util of $(nproc) cores; peak RSS $((rss / 1024)) MiB"

# 2. All hit vs warm hash, every service.
HOT=$CACHE_ROOT/hot
bash -c "$W build --progress none --cache-dir $(q "$HOT") --out $(q "$OUT") > /dev/null" 2> "$RES/fill.err" ||
  { tail "$RES/fill.err" >&2; exit 2; }
bash -c "$W hash --cache-dir $(q "$HOT") > /dev/null"
bench_time build_hit "$WHARF_RUNS" bash "$W build --json --progress none --cache-dir $(q "$HOT") --out $(q "$OUT")" ||
  exit 2
hit=$BENCH_MIN
bench_time hash_warm "$WHARF_RUNS" bash "$W hash --json --cache-dir $(q "$HOT")" || exit 2
hash=$BENCH_MIN
hits=$(bash -c "$W build --json --progress none --cache-dir $(q "$HOT") --out $(q "$OUT")" |
  python3 -c 'import json,sys; print(sum(s["status"]=="hit" for s in json.load(sys.stdin)["services"]))')
hit_rss=$(bench_rss "$RES/hit_rss" bash -c "$W build --json --progress none --cache-dir $(q "$HOT") --out $(q "$OUT")")
echo "-- all-hit build of $SERVICES services ($hits hits): $(fmt_t "$hit"); warm hash $(fmt_t "$hash"); peak RSS $((hit_rss / 1024)) MiB"

verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < 2 * b) }'; then echo ok; else echo "NOT MET"; fi; }
summary_row "cold build, 20 services" "$(fmt_t "$wall")" "-" "$util" "both cores" "CPU $util, RSS $((rss / 1024)) MiB"
summary_row "all-hit build vs warm hash" "$(fmt_t "$hit")" "$(fmt_t "$hash")" "$(fmt_ratio "$hit" "$hash")" "< 2x" \
  "$(verdict "$hit" "$hash")"
print_summary
