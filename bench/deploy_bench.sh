#!/usr/bin/env bash
# Benchmark `wharf deploy` to a local docker-registry against skopeo copy of
# the same images, in the same run (issue 15's bars):
#   bash bench/deploy_bench.sh [WHARF_BINARY]
# A repository of 20 image services is made (a shared deps layer of
# DEPS_MB, a code layer of CODE_MB random bytes each, so gzip keeps them
# about that size), built once (not timed), then:
#  1. first push of 20 new images: `wharf deploy --env first` (to fresh
#     repositories) vs skopeo copy oci:... docker://... of each image, 2 at
#     once (xargs -P 2), to other fresh repositories: bar wharf <= skopeo;
#  2. unchanged: `wharf deploy --env again<N>` (its ledger empty, so every
#     service deploys) to the repositories and tags `fill` pushed: the
#     registry holds everything; vs skopeo copy of the same images to the
#     same tags again: bar wharf >= 5x faster;
#  3. the requests and bytes of (2), counted by the recording proxy
#     (tests/testing/fault_proxy.py) in front of the registry: only HEAD
#     requests (blobs and tags), 0 bytes sent.
# Env: RUNS (3), DEPS_MB (8), CODE_MB (4), PUSHES (wharf deploy --pushes; default its own), KEEP_WORK (set: keep the scratch directory). Exit: 0 ran (bars may fail), 2 error.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
WHARF=$(realpath "${1:-$ROOT_DIR/build/wharf}")
RUNS=${RUNS:-3}
DEPS_MB=${DEPS_MB:-8}
CODE_MB=${CODE_MB:-4}
[[ -x $WHARF ]] || { echo "error: wharf binary not found: $WHARF" >&2; exit 2; }
for tool in /usr/bin/docker-registry skopeo curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (scripts/bootstrap.sh installs it)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/wharf-deploy-bench.XXXXXX")
cleanup() {
  if [[ -f $WORK/pids ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$WORK/pids"
  fi
  [[ -n ${KEEP_WORK:-} ]] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# --- registries, and the recording proxy in front of the first ----------------
# A fresh registry for each first-push run of each tool (a registry mounts
# blobs between its repositories, so a second run into the same one would
# not be a first push); REG is the one the unchanged runs use.
start_registry() {  # $1: name; prints host:port
  local dir=$WORK/registry-$1 address=""
  mkdir -p "$dir"
  printf 'version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s/data\nhttp:\n  addr: 127.0.0.1:0\n  secret: bench-only\n' \
    "$dir" > "$dir/config.yml"
  setsid /usr/bin/docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 < /dev/null &
  echo $! >> "$WORK/pids"
  for _ in $(seq 1 200); do
    address=$(sed -n 's/.*listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$dir/log" | head -n 1)
    [[ -n $address ]] && curl -fsS -o /dev/null "http://$address/v2/" && break
    sleep 0.05
  done
  [[ -n $address ]] || { echo "error: docker-registry did not start" >&2; cat "$dir/log" >&2; exit 2; }
  echo "$address"
}
REG=$(start_registry main)
declare -A FIRST_WHARF FIRST_SKOPEO
for run in $(seq 1 "$RUNS"); do
  FIRST_WHARF[$run]=$(start_registry "wharf$run")
  FIRST_SKOPEO[$run]=$(start_registry "skopeo$run")
done
setsid /usr/bin/python3 "$ROOT_DIR/tests/testing/fault_proxy.py" "$WORK/proxy-port" "$REG" > "$WORK/proxy.log" 2>&1 < /dev/null &
echo $! >> "$WORK/pids"
for _ in $(seq 1 200); do [[ -s $WORK/proxy-port ]] && break; sleep 0.05; done
PROXY=127.0.0.1:$(cat "$WORK/proxy-port")

# --- the repository: 20 image services --------------------------------------
REPO=$WORK/repo
mkdir -p "$REPO/vendor"
cd "$REPO"
git init -q
head -c $((DEPS_MB << 20)) /dev/urandom > vendor/deps.bin
{
  for i in $(seq -w 1 20); do
    mkdir -p "services/s$i"
    head -c $((CODE_MB << 20)) /dev/urandom > "services/s$i/code.bin"
    cat <<TOML
[service.s$i]
paths = ["services/s$i", "vendor"]
[service.s$i.image]
cmd = ["/app/code.bin"]
[[service.s$i.image.layers]]
name = "deps"
files = [{ from = "vendor", to = "app/vendor" }]
[[service.s$i.image.layers]]
name = "code"
files = [{ from = "services/s$i", to = "app" }]

TOML
  done
  # One environment per timed deploy, so each starts with an empty ledger:
  # first<N> pushes into its own fresh registry; fill pushes into REG (not
  # timed), again<N> and counted push there again (every blob there),
  # counted through the proxy.
  # The unchanged deploys push what `fill` pushed, under the same tags: the
  # registry holds it all, so only HEADs (blobs, and tags) are needed.
  env_table() {  # name registry repository tag-prefix
    printf '[environment.%s]\nsource = "ledger"\n[environment.%s.push]\nto = "registry"\nregistry = "%s"\n' "$1" "$1" "$2"
    printf 'insecure = true\nrepository = "%s"\ntags = ["%s-{short_sha}"]\n\n' "$3" "$4"
  }
  for run in $(seq 1 "$RUNS"); do
    env_table "first$run" "${FIRST_WHARF[$run]}" "bench/{service}" first
    env_table "again$run" "$REG" "bench/{service}" fill
  done
  env_table fill "$REG" "bench/{service}" fill
  env_table counted "$PROXY" "bench/{service}" fill
} > wharf.toml
git add -A
git -c user.name=bench -c user.email=bench@wharf.invalid commit -qm bench
SHORT=$(git rev-parse --short=7 HEAD)
CACHE=$WORK/cache
"$WHARF" --cache-dir "$CACHE" build --progress none > /dev/null
OUT=$REPO/.wharf/out
echo "== 20 images ($DEPS_MB MiB shared deps + $CODE_MB MiB code each), registry $REG; $(nproc) CPUs"

now() { date +%s.%N; }
skopeo_all() {  # $1: the registry (host:port)
  ls "$OUT" | grep -v '^\.' | xargs -P 2 -I{} \
    skopeo copy -q --dest-tls-verify=false "oci:$OUT/{}:$SHORT" "docker://$1/bench/{}:$SHORT"
}
best() { sort -g | head -n 1; }

# Times RUNS pairs: `wharf deploy --env <prefix><run>`, then skopeo_all to
# the registry `target <run>` prints; sets WHARF_BEST and SKOPEO_BEST (s).
time_pairs() {  # $1: environment prefix, $2: function printing the skopeo registry of a run
  local wharf_times=() skopeo_times=() run t0 t1 t2
  for run in $(seq 1 "$RUNS"); do
    t0=$(now)
    "$WHARF" --cache-dir "$CACHE" deploy --env "$1$run" --progress none ${PUSHES:+--pushes $PUSHES} > "$WORK/$1.out"
    t1=$(now)
    skopeo_all "$("$2" "$run")"
    t2=$(now)
    wharf_times+=("$(echo "$t1 - $t0" | bc -l)")
    skopeo_times+=("$(echo "$t2 - $t1" | bc -l)")
  done
  WHARF_BEST=$(printf '%s\n' "${wharf_times[@]}" | best)
  SKOPEO_BEST=$(printf '%s\n' "${skopeo_times[@]}" | best)
}
fresh_registry() { echo "${FIRST_SKOPEO[$1]}"; }
main_registry() { echo "$REG"; }

# 1. first push, each run to fresh registries.
time_pairs first fresh_registry
printf 'first push:  wharf deploy %.2f s, skopeo copy -P2 %.2f s  -> %.2fx skopeo (bar: <= 1.00x)\n' \
  "$WHARF_BEST" "$SKOPEO_BEST" "$(echo "$WHARF_BEST / $SKOPEO_BEST" | bc -l)"
tail -n 1 "$WORK/first.out"

# 2. unchanged: everything is in the registry already.
"$WHARF" --cache-dir "$CACHE" deploy --env fill --progress none > /dev/null
skopeo_all "$REG"
time_pairs again main_registry
printf 'unchanged:   wharf deploy %.3f s, skopeo copy -P2 %.2f s  -> %.1fx faster (bar: >= 5x)\n' \
  "$WHARF_BEST" "$SKOPEO_BEST" "$(echo "$SKOPEO_BEST / $WHARF_BEST" | bc -l)"
tail -n 1 "$WORK/again.out"

# 3. what the unchanged deploy sent, counted at the proxy.
curl -fsS -X POST "http://$PROXY/_proxy/reset" > /dev/null
"$WHARF" --cache-dir "$CACHE" deploy --env counted --progress none --json > "$WORK/counted.json"
echo "unchanged deploy through the recording proxy: $(curl -fsS "http://$PROXY/_proxy/stats")"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("bytes sent (bodies):", r["bytes_sent"], "statuses:", sorted({s["status"] for s in r["services"]}))' "$WORK/counted.json"
