#!/usr/bin/env bash
# Compare the T.4/T.6 codec speed of telefax with libtiff (in-process C driver, scripts/t4bench.c)
# and the `fax` crate (MMR only), on the same pages in one run. Prints megapixels per second
# and the ratios telefax/libtiff and telefax/fax.
#
# The drivers take turns at the level of single runs: both start once, code and check every page,
# and then wait for commands on stdin (`serve` mode). For every page, coding and operation this
# script asks libtiff for one run, then telefax for one (and the `fax` crate for one, MMR only),
# REPS times per round, the order of each pair swapped every time. Each command runs the
# operation twice and times the second run, so the timed run finds its data in cache. This
# shared VM switches between a fast and a slow state within tens of milliseconds; runs taken
# side by side see the same state, where runs taken seconds apart (whole passes of one driver
# after the other) do not. Reported per cell: the median time of each side over all runs, the
# median of the pairwise ratios over all pairs, and the lowest of the per-round medians of those
# ratios.
#
# The slow state shows in the branch predictor (README): before each pair the libtiff driver
# times a loop of branches on a fixed 1024-bit pattern (`probe`), and the script prints the
# spread of those times, so that a run can be told to have been in the fast or slow state.
#
# usage: scripts/compare_t4.sh [ROUNDS] [REPS]      (default 9 rounds of 7 pairs)
# needs: a C compiler, pkg-config and libtiff-dev (libtiff-4), cargo, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-9}"
REPS="${2:-7}"
WORK="$(mktemp -d /tmp/compare_t4.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cc -O2 -o "$WORK/t4bench" scripts/t4bench.c $(pkg-config --cflags --libs libtiff-4)
cargo build --quiet --release -p telefax-tiff --example codec_compare
BIN="${CARGO_TARGET_DIR:-target}/release/examples/codec_compare"

"$BIN" gen "$WORK/pages"

echo "T.4/T.6 codec speed, megapixels per second (MSB-first, MR with K=4): $ROUNDS rounds of $REPS"
echo "alternated single runs per side, page, coding and operation; medians over all runs; ratios"
echo "are the median of the pairwise ratios and the lowest per-round median of them"
echo "$(uname -m), $(nproc) cores, libtiff $(pkg-config --modversion libtiff-4)"
python3 - "$ROUNDS" "$REPS" "$WORK/t4bench" "$BIN" "$WORK"/pages/*.tif <<'PY'
import collections, statistics, subprocess, sys
rounds, reps, t4bench, tfbin, pages = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]

class Driver:
    """A driver in serve mode: its header lines (SIDE PAGE CODING PIXELS BYTES) and one command
    at a time."""
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.header = []
        for line in self.p.stdout:
            if line.strip() == "ready":
                break
            self.header.append(line.split())
        else:
            sys.exit("%s stopped before it was ready" % argv[0])
    def run(self, command):
        self.p.stdin.write(command + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            sys.exit("driver stopped at command %r" % command)
        return float(line)
    def close(self):
        self.p.stdin.close()
        if self.p.wait() != 0:
            sys.exit("a driver failed")

lt = Driver([t4bench, "serve"] + pages)
tf = Driver([tfbin, "serve"] + pages)
px, size, order = {}, {}, []
for side, page, coding, pixels, nbytes in lt.header + tf.header:
    px[page] = int(pixels)
    size[(side, page, coding)] = nbytes
    if page not in order:
        order.append(page)
codings = ("mh", "mr", "mmr")
# times[(side, page, coding, op)] = [ns, ...]; pairs[(page, coding, op)][round] = [lt/tf, ...]
times = collections.defaultdict(list)
pairs = collections.defaultdict(lambda: collections.defaultdict(list))
probes = []
n = 0
for rnd in range(rounds):
    for pi, page in enumerate(order):
        for ci, coding in enumerate(codings):
            for op in ("e", "d"):
                for rep in range(reps):
                    def run_lt():
                        return lt.run("%d %d %s" % (pi, ci, op))
                    def run_tf():
                        return tf.run("tf %d %d %s" % (pi, ci, op))
                    n += 1
                    probes.append(lt.run("probe"))
                    if n % 2:
                        a = run_lt(); b = run_tf()
                    else:
                        b = run_tf(); a = run_lt()
                    times[("libtiff", page, coding, op)].append(a)
                    times[("telefax", page, coding, op)].append(b)
                    pairs[(page, coding, op)][rnd].append(a / b)
                    if coding == "mmr":
                        times[("fax", page, coding, op)].append(tf.run("fax %d %s" % (pi, op)))
lt.close()
tf.close()

def mps(side, page, coding, op):
    t = times.get((side, page, coding, op))
    return px[page] / statistics.median(t) * 1000 if t else None
probes = sorted(probes)
print("branch probe (ms): 5th percentile %.2f, median %.2f, 95th percentile %.2f" % tuple(
    probes[int(q * (len(probes) - 1))] / 1e6 for q in (0.05, 0.5, 0.95)))
hdr = ("page", "code", "lt enc", "lt dec", "tf enc", "tf dec", "fax enc", "fax dec",
       "tf/lt e", "low", "tf/lt d", "low", "tf/fax e", "tf/fax d")
print("%-20s %-4s | %8s %8s | %8s %8s | %8s %8s | %7s %5s %7s %5s | %8s %8s" % hdr)
lowest = {'e': None, 'd': None}
for page in order:
    for coding in codings:
        def f(side, op):
            v = mps(side, page, coding, op)
            return "%8.1f" % v if v is not None else "%8s" % "-"
        out = []
        for op in ("e", "d"):
            per_round = pairs[(page, coding, op)]
            med = statistics.median(r for rs in per_round.values() for r in rs)
            low = min(statistics.median(rs) for rs in per_round.values())
            out.append("%7.2f %5.2f" % (med, low))
            if lowest[op] is None or med < lowest[op][0]:
                lowest[op] = (med, page, coding)
        fx = []
        for op in ("e", "d"):
            a, b = mps("telefax", page, coding, op), mps("fax", page, coding, op)
            fx.append("%8.2f" % (a / b) if a and b else "%8s" % "-")
        print("%-20s %-4s | %s %s | %s %s | %s %s | %s %s | %s %s" % (
            page, coding, f("libtiff", "e"), f("libtiff", "d"), f("telefax", "e"), f("telefax", "d"),
            f("fax", "e"), f("fax", "d"), out[0], out[1], fx[0], fx[1]))
print("lowest median telefax/libtiff ratio: encode %.2f (%s %s), decode %.2f (%s %s) (target >= 2)" % (
    lowest['e'] + lowest['d']))
print("coded sizes (bytes, libtiff/telefax):", " ".join(
    "%s:%s=%s/%s" % (p, c, size.get(("libtiff", p, c)), size.get(("telefax", p, c)))
    for p in order for c in ("mh", "mr", "mmr")))
PY
