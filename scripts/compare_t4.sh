#!/usr/bin/env bash
# Compare the T.4/T.6 codec speed of telefax with libtiff (in-process C driver, scripts/t4bench.c)
# and the `fax` crate (MMR only), on the same pages in one run. Prints megapixels per second
# and the ratios telefax/libtiff and telefax/fax.
#
# The two drivers take turns: ROUNDS rounds, each running libtiff then telefax (and fax) REPS
# times per page and coding and keeping each one's median time. A busy spell on the shared
# machine then hits both sides of a round alike. Reported: the median over the rounds of each
# side's figure, the median of the per-round ratios, and the lowest per-round ratio.
#
# usage: scripts/compare_t4.sh [ROUNDS] [REPS]      (default 15 rounds of 7 repetitions)
# needs: a C compiler, pkg-config and libtiff-dev (libtiff-4), cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-15}"
REPS="${2:-7}"
WORK="$(mktemp -d /tmp/compare_t4.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cc -O2 -o "$WORK/t4bench" scripts/t4bench.c $(pkg-config --cflags --libs libtiff-4)
cargo build --quiet --release -p telefax-tiff --example codec_compare
BIN="${CARGO_TARGET_DIR:-target}/release/examples/codec_compare"

"$BIN" gen "$WORK/pages"
PAGES=("$WORK"/pages/*.tif)
for round in $(seq "$ROUNDS"); do
    "$WORK/t4bench" "$REPS" "${PAGES[@]}" | sed "s/^/$round /" >> "$WORK/results.txt"
    "$BIN" bench "$REPS" "${PAGES[@]}" | sed "s/^/$round /" >> "$WORK/results.txt"
done

echo "T.4/T.6 codec speed, megapixels per second (MSB-first, MR with K=4): medians over $ROUNDS alternated rounds"
echo "(each round: median of $REPS runs per side); ratios are the median and the lowest of the per-round ratios"
echo "$(uname -m), $(nproc) cores, libtiff $(pkg-config --modversion libtiff-4)"
python3 - "$WORK/results.txt" <<'PY'
import collections, statistics, sys
# lines: ROUND SIDE PAGE CODING PIXELS BYTES ENC_NS DEC_NS
t = collections.defaultdict(dict)
px, size, order = {}, {}, []
for line in open(sys.argv[1]):
    rnd, side, page, coding, pixels, nbytes, enc, dec = line.split()
    px[page] = int(pixels)
    size.setdefault((side, page, coding), nbytes)
    if page not in order:
        order.append(page)
    t[(side, page, coding, 'e')][rnd] = float(enc)
    t[(side, page, coding, 'd')][rnd] = float(dec)
def mps(page, ns):
    return px[page] / ns * 1000
def cell(side, page, coding, op):
    """(median MP/s, {round: MP/s})"""
    runs = {r: mps(page, ns) for r, ns in t.get((side, page, coding, op), {}).items()}
    return (statistics.median(runs.values()) if runs else None), runs
def ratio(a, b):
    common = [r for r in a if r in b]
    rs = [a[r] / b[r] for r in common]
    return (statistics.median(rs), min(rs)) if rs else (None, None)
hdr = ("page", "code", "lt enc", "lt dec", "tf enc", "tf dec", "fax enc", "fax dec",
       "tf/lt e", "low", "tf/lt d", "low", "tf/fax e", "tf/fax d")
print("%-20s %-4s | %8s %8s | %8s %8s | %8s %8s | %7s %5s %7s %5s | %8s %8s" % hdr)
lowest = {'e': None, 'd': None}
for page in order:
    for coding in ("mh", "mr", "mmr"):
        row = {}
        for side in ("libtiff", "telefax", "fax"):
            for op in ("e", "d"):
                row[(side, op)] = cell(side, page, coding, op)
        def f(side, op):
            v = row[(side, op)][0]
            return "%8.1f" % v if v is not None else "%8s" % "-"
        out = []
        for op in ("e", "d"):
            med, low = ratio(row[("telefax", op)][1], row[("libtiff", op)][1])
            out.append("%7.2f %5.2f" % (med, low))
            if lowest[op] is None or med < lowest[op][0]:
                lowest[op] = (med, page, coding)
        fx = []
        for op in ("e", "d"):
            med, _ = ratio(row[("telefax", op)][1], row[("fax", op)][1])
            fx.append("%8.2f" % med if med is not None else "%8s" % "-")
        print("%-20s %-4s | %s %s | %s %s | %s %s | %s %s | %s %s" % (
            page, coding, f("libtiff", "e"), f("libtiff", "d"), f("telefax", "e"), f("telefax", "d"),
            f("fax", "e"), f("fax", "d"), out[0], out[1], fx[0], fx[1]))
print("lowest median telefax/libtiff ratio: encode %.2f (%s %s), decode %.2f (%s %s) (target >= 2)" % (
    lowest['e'] + lowest['d']))
print("coded sizes (bytes, libtiff/telefax):", " ".join(
    "%s:%s=%s/%s" % (p, c, size.get(("libtiff", p, c)), size.get(("telefax", p, c)))
    for p in order for c in ("mh", "mr", "mmr")))
PY
