#!/bin/sh
# CPU-time comparison of telefax-t4 and libtiff on the benchmark pages, for
# a busy machine where wall-clock best-of runs (compare_libtiff.sh) of the
# slower pages never get a quiet moment: each operation's cost is the CPU
# time (`perf stat -e task-clock`, time spent off-CPU not counted) of a
# process doing it ITERS times minus one doing it 0 times; the minimum over
# ROUNDS interleaved rounds is kept. Needs perf, gcc, libtiff-dev, tiffcp.
#
# Usage: crates/telefax-t4/tools/compare_cpu.sh [ROUNDS] [ITERS]
set -e
ROUNDS=${1:-3}
ITERS=${2:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WORK=${WORK:-$(mktemp -d)}
TGT=${CARGO_TARGET_DIR:-$ROOT/target}
gcc -O2 -o "$WORK/ltone" "$HERE/ltone.c" -ltiff
(cd "$ROOT" && cargo build -q -p telefax-t4 --release --example bench_pages_tiff --example codec_one)
"$TGT/release/examples/bench_pages_tiff" "$WORK" > /dev/null
for p in text_fine dithered near_blank text_std diffused; do
  h=$(tiffinfo "$WORK/$p.tif" 2>/dev/null | sed -n 's/.*Image Length: \([0-9]*\).*/\1/p')
  for m in g3:1d g3:2d g4; do
    tiffcp -c $m -r "$h" "$WORK/$p.tif" "$WORK/$p-$(echo $m | tr : _).tif"
  done
done
cpu() { perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | grep task-clock | cut -d, -f1; }
US="$TGT/release/examples/codec_one"
for round in $(seq "$ROUNDS"); do
  for p in text_fine dithered near_blank text_std diffused; do
    # Short operations get more repetitions, so the difference is measurable.
    n=$ITERS; [ "$p" = near_blank ] && n=$((ITERS * 50))
    for m in mh mr_k4 mmr; do
      case $m in mh) f=g3_1d;; mr_k4) f=g3_2d;; mmr) f=g4;; esac
      for op in dec enc; do
        echo "US $p $m $op $n $(cpu "$US" $p $m $op $n) $(cpu "$US" $p $m $op 0)"
        echo "LT $p $m $op $n $(cpu "$WORK/ltone" "$WORK/$p-$f.tif" $op $n) $(cpu "$WORK/ltone" "$WORK/$p-$f.tif" $op 0)"
      done
    done
  done
done > "$WORK/cpu.log" 2>/dev/null
python3 - "$WORK/cpu.log" <<'PY'
import sys, collections
best = collections.defaultdict(lambda: float('inf'))
mp = {'text_fine': 1728 * 2287, 'dithered': 1728 * 1143, 'near_blank': 1728 * 1143, 'text_std': 1728 * 1143, 'diffused': 1728 * 1143}
for line in open(sys.argv[1]):
    who, p, m, op, n, a, z = line.split()
    best[(who, p, m, op)] = min(best[(who, p, m, op)], (float(a) - float(z)) / int(n))
print(f"{'page':10} {'coding':6} op   {'telefax MP/s':>12} {'libtiff MP/s':>12}  ratio   (CPU time)")
for p in mp:
    for m in ['mh', 'mr_k4', 'mmr']:
        for op in ['dec', 'enc']:
            us, lt = best[('US', p, m, op)], best[('LT', p, m, op)]
            mus, mlt = mp[p] / us / 1e3, mp[p] / lt / 1e3
            print(f"{p:10} {m:6} {op}  {mus:12.1f} {mlt:12.1f}  {lt / us:5.2f}")
PY
