#!/bin/sh
# Side-by-side throughput of telefax-t4 and libtiff on the benchmark pages
# (telefax_t4::testpages::bench_pages), interleaved best-of-N wall-clock
# runs so both see the same machine load; prints the median over rounds of
# each side's best-of-ITERS figure and of the per-round ratios. Both sides
# code MR with K = 4 (bench_pages_tiff tags the pages fine resolution, from
# which libtiff's encoder picks K). Needs gcc, libtiff-dev, tiffcp.
#
# Usage: crates/telefax-t4/tools/compare_libtiff.sh [ROUNDS] [ITERS]
set -e
ROUNDS=${1:-2}
ITERS=${2:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WORK=${WORK:-$(mktemp -d)}
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
# The pages of telefax_t4::testpages::BENCH_PAGES.
PAGES="text_fine dithered near_blank text_std diffused bayer_wave"
gcc -O2 -o "$WORK/ltbench" "$HERE/ltbench.c" -ltiff
(cd "$ROOT" && cargo build -q -p telefax-t4 --release --example bench_pages_tiff --example codec_speed)
"$TGT/release/examples/bench_pages_tiff" "$WORK" > /dev/null
for p in $PAGES; do
  h=$(tiffinfo "$WORK/$p.tif" 2>/dev/null | sed -n 's/.*Image Length: \([0-9]*\).*/\1/p')
  for m in g3:1d g3:2d g4; do
    tiffcp -c $m -r "$h" "$WORK/$p.tif" "$WORK/$p-$(echo $m | tr : _).tif"
  done
done
for round in $(seq "$ROUNDS"); do
  for p in $PAGES; do for m in g3_1d g3_2d g4; do
    echo "LT $p $m $("$WORK/ltbench" "$WORK/$p-$m.tif" x "$ITERS" 2>/dev/null | tr '\n' ' ')"
  done; done
  "$TGT/release/examples/codec_speed" "$ITERS" | sed 's/^/US /'
done > "$WORK/compare.log"
python3 - "$WORK/compare.log" $PAGES <<'PY'
import re, sys, collections, statistics
# Per round: each side's best-of-ITERS figure; across rounds: the median of
# each side and the median (and lowest) of the per-round ratios.
runs = collections.defaultdict(list)
names = {'g3_1d': 'mh', 'g3_2d': 'mr_k4', 'g4': 'mmr'}
for line in open(sys.argv[1]):
    m = re.match(r'LT (\S+) (\S+) decode ([\d.]+) MP/s encode ([\d.]+) MP/s', line)
    if m:
        p, mode, d, e = m.groups()
        for k, v in (('dec', d), ('enc', e)):
            runs[('lt', p, names[mode], k)].append(float(v))
    m = re.match(r'US\s+(\S+)\s+(\S+): decode\s+([\d.]+) MP/s\s+encode\s+([\d.]+)', line)
    if m:
        p, mode, d, e = m.groups()
        for k, v in (('dec', d), ('enc', e)):
            runs[('us', p, mode, k)].append(float(v))
print(f"{'page':10} {'coding':6} op   {'telefax MP/s':>12} {'libtiff MP/s':>12}  ratio  lowest  (medians of {len(runs[('us', 'diffused', 'mmr', 'dec')])} rounds)")
for p in sys.argv[2:]:
    for mode in ['mh', 'mr_k4', 'mmr']:
        for k in ['dec', 'enc']:
            us, lt = runs[('us', p, mode, k)], runs[('lt', p, mode, k)]
            ratios = [a / b for a, b in zip(us, lt) if b]
            if not ratios:
                continue
            print(f"{p:10} {mode:6} {k}  {statistics.median(us):12.1f} {statistics.median(lt):12.1f}"
                  f"  {statistics.median(ratios):5.2f}  {min(ratios):5.2f}")
PY
