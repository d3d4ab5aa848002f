#!/usr/bin/env bash
# Benchmark the packer against the tools the runbooks use, in one run:
#   bash bench/pack_bench.sh [BENCH_BINARY] [WORK_DIR]
# BENCH_BINARY: build/bench/wharf_pack_bench (bench/pack_bench.cc over
# packer/); WORK_DIR: ${TMPDIR:-/tmp}/wharf-pack-bench (trees generated there
# by gen_pack_tree.py once, then reused).
#  1. zip: one service of ~2,000 files / ~30 MB: `zip -qr -X -6` vs the packer
#     (deterministic zip, libdeflate, all cores). Bar: >= 1.8x, output no larger.
#  2. layer: a ~270 MB tree: `tar -c | pigz -p 2 -6` and `tar -c | gzip -6` vs
#     the packer (gzip layer in parallel blocks). Bars: no slower than pigz,
#     >= 2x gzip. The zstd layer is reported only.
#  3. peak RSS of each packer run (/usr/bin/time).
# Env: ZIP_RUNS (5), LAYER_RUNS (3), WHARF_BENCH_NO_HYPERFINE=1.
# Exit status: 0 = ran (bars may have failed), 2 = hard error.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

BIN=$(bench_abs_bin "${1:-$ROOT_DIR/build/bench/wharf_pack_bench}")
WORK=${2:-${TMPDIR:-/tmp}/wharf-pack-bench}
ZIP_RUNS=${ZIP_RUNS:-5}
LAYER_RUNS=${LAYER_RUNS:-3}
for tool in zip pigz gzip tar; do
  command -v $tool > /dev/null || { echo "error: $tool is missing (scripts/bootstrap.sh installs it)" >&2; exit 2; }
done
[[ -x $BIN ]] || { echo "error: $BIN not built (cmake --build build --target wharf_pack_bench)" >&2; exit 2; }

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
SVC=$WORK/service   # ~2,000 files, ~30 MB
BIG=$WORK/layer     # ~270 MB
[[ -d $SVC ]] || python3 "$BENCH_DIR/gen_pack_tree.py" "$SVC" --files 2000 --megabytes 30 --seed 1
[[ -d $BIG ]] || python3 "$BENCH_DIR/gen_pack_tree.py" "$BIG" --files 6000 --megabytes 270 --seed 2
RES=$WORK/results
OUT=$WORK/out
rm -rf "$RES" "$OUT"
mkdir -p "$RES" "$OUT"

tree_facts() { echo "$(find "$1" -type f | wc -l) files, $(du -sb --apparent-size "$1" | cut -f1) bytes"; }
size_of() { stat -c %s "$1"; }
echo "== $(nproc) CPUs; packer $BIN; trees in $WORK"
echo "   service: $(tree_facts "$SVC")"
echo "   layer:   $(tree_facts "$BIG")"

q() { printf '%q' "$1"; }
run_case() {  # run_case NAME RUNS CMD: times CMD, prints and sets T_NAME
  local name=$1 runs=$2 cmd=$3
  if ! bench_time "$name" "$runs" bash "$cmd"; then
    echo "!! $name failed: $cmd" >&2
    exit 2
  fi
  printf -v "T_$name" '%s' "$BENCH_MIN"
  printf '   %-22s best %-9s mean %s\n' "$name" "$(fmt_t "$BENCH_MIN")" "$(fmt_t "$BENCH_MEAN")"
}

echo "== zip (best of $ZIP_RUNS)"
run_case zip_infozip "$ZIP_RUNS" "cd $(q "$SVC") && rm -f $(q "$OUT/infozip.zip") && zip -qr -X -6 $(q "$OUT/infozip.zip") ."
run_case zip_wharf "$ZIP_RUNS" "$(q "$BIN") zip $(q "$SVC") $(q "$OUT/wharf.zip")"
unzip -tq "$OUT/wharf.zip" > /dev/null || { echo "!! unzip -t rejects the packer's zip" >&2; exit 2; }
Z_THEIRS=$(size_of "$OUT/infozip.zip")
Z_OURS=$(size_of "$OUT/wharf.zip")
printf '   sizes: zip -6 %s, packer %s (%s)\n' "$Z_THEIRS" "$Z_OURS" "$(fmt_ratio "$Z_OURS" "$Z_THEIRS")"

echo "== layer (best of $LAYER_RUNS)"
run_case layer_gzip "$LAYER_RUNS" "tar -C $(q "$BIG") -cf - . | gzip -6 > $(q "$OUT/gzip.tar.gz")"
run_case layer_pigz "$LAYER_RUNS" "tar -C $(q "$BIG") -cf - . | pigz -p 2 -6 > $(q "$OUT/pigz.tar.gz")"
run_case layer_wharf "$LAYER_RUNS" "$(q "$BIN") layer $(q "$BIG") $(q "$OUT/wharf.tar.gz")"
run_case layer_wharf_zstd "$LAYER_RUNS" "$(q "$BIN") layer $(q "$BIG") $(q "$OUT/wharf.tar.zst") --zstd"
gzip -t "$OUT/wharf.tar.gz" || { echo "!! gzip -t rejects the packer's layer" >&2; exit 2; }
printf '   sizes: gzip -6 %s, pigz -6 %s, packer gzip %s, packer zstd -3 %s\n' "$(size_of "$OUT/gzip.tar.gz")" \
  "$(size_of "$OUT/pigz.tar.gz")" "$(size_of "$OUT/wharf.tar.gz")" "$(size_of "$OUT/wharf.tar.zst")"

echo "== peak RSS (KiB)"
RSS_ZIP=$(bench_rss "$RES/rss_zip" "$BIN" zip "$SVC" "$OUT/rss.zip")
RSS_LAYER=$(bench_rss "$RES/rss_layer" "$BIN" layer "$BIG" "$OUT/rss.tar.gz")
RSS_ZSTD=$(bench_rss "$RES/rss_zstd" "$BIN" layer "$BIG" "$OUT/rss.tar.zst" --zstd)
echo "   zip $RSS_ZIP, gzip layer $RSS_LAYER, zstd layer $RSS_ZSTD"

verdict() { if ge "$1" "$2"; then echo PASS; else echo FAIL; fi; }
R_ZIP=$(awk -v a="$T_zip_infozip" -v b="$T_zip_wharf" 'BEGIN { print a / b }')
R_PIGZ=$(awk -v a="$T_layer_pigz" -v b="$T_layer_wharf" 'BEGIN { print a / b }')
R_GZIP=$(awk -v a="$T_layer_gzip" -v b="$T_layer_wharf" 'BEGIN { print a / b }')
SIZE_OK=$( ((Z_OURS <= Z_THEIRS)) && echo PASS || echo FAIL)
summary_row "zip 2k files (vs zip -X -6)" "$(fmt_t "$T_zip_wharf")" "$(fmt_t "$T_zip_infozip")" \
  "$(fmt_ratio "$T_zip_infozip" "$T_zip_wharf")" ">= 1.8x" "$(verdict "$R_ZIP" 1.8)"
summary_row "zip size (vs zip -X -6)" "$Z_OURS" "$Z_THEIRS" "$(fmt_ratio "$Z_OURS" "$Z_THEIRS")" "<= 1.00x" "$SIZE_OK"
summary_row "270 MB layer (vs pigz -p 2)" "$(fmt_t "$T_layer_wharf")" "$(fmt_t "$T_layer_pigz")" \
  "$(fmt_ratio "$T_layer_pigz" "$T_layer_wharf")" ">= 1.0x" "$(verdict "$R_PIGZ" 1.0)"
summary_row "270 MB layer (vs gzip -6)" "$(fmt_t "$T_layer_wharf")" "$(fmt_t "$T_layer_gzip")" \
  "$(fmt_ratio "$T_layer_gzip" "$T_layer_wharf")" ">= 2x" "$(verdict "$R_GZIP" 2)"
summary_row "270 MB zstd layer (vs gzip -6)" "$(fmt_t "$T_layer_wharf_zstd")" "$(fmt_t "$T_layer_gzip")" \
  "$(fmt_ratio "$T_layer_gzip" "$T_layer_wharf_zstd")" "reported" "-"
print_summary
