#!/usr/bin/env bash
# Compare the T.4/T.6 codec speed of telefax with libtiff (in-process C driver, scripts/t4bench.c)
# and the `fax` crate (MMR only), on the same pages in one run. Prints megapixels per second
# and the ratios telefax/libtiff and telefax/fax.
#
# usage: scripts/compare_t4.sh [REPS]      (default 31 repetitions, medians reported)
# needs: a C compiler, pkg-config and libtiff-dev (libtiff-4), cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-31}"
WORK="$(mktemp -d /tmp/compare_t4.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cc -O2 -o "$WORK/t4bench" scripts/t4bench.c $(pkg-config --cflags --libs libtiff-4)
cargo build --quiet --release -p telefax-tiff --example codec_compare
BIN="${CARGO_TARGET_DIR:-target}/release/examples/codec_compare"

"$BIN" gen "$WORK/pages"
PAGES=("$WORK"/pages/*.tif)
# Alternate the two sides twice so a change in machine load hits both alike; keep each side's
# faster (lower median) run.
for round in 1 2; do
    "$WORK/t4bench" "$REPS" "${PAGES[@]}" >> "$WORK/results.txt"
    "$BIN" bench "$REPS" "${PAGES[@]}" >> "$WORK/results.txt"
done

echo "T.4/T.6 codec speed, megapixels per second (median of $REPS runs, best of 2 rounds; MSB-first, MR with K=4)"
echo "$(uname -m), $(nproc) cores, libtiff $(pkg-config --modversion libtiff-4)"
awk '
{
    key = $1 SUBSEP $2 SUBSEP $3
    px[$2] = $4
    if (!(key in enc) || $6 < enc[key]) enc[key] = $6
    if (!(key in dec) || $7 < dec[key]) dec[key] = $7
    if (!(key in bytes)) bytes[key] = $5
    if (!seen[$2]++) order[n++] = $2
}
function mps(p, ns) { return ns > 0 ? p / ns * 1000 : 0 }
END {
    printf "%-20s %-4s | %9s %9s | %9s %9s | %9s %9s | %7s %7s | %7s %7s\n", \
        "page", "code", "lt enc", "lt dec", "tf enc", "tf dec", "fax enc", "fax dec", \
        "tf/lt e", "tf/lt d", "tf/fax e", "tf/fax d"
    split("mh mr mmr", codings, " ")
    for (i = 0; i < n; i++) {
        p = order[i]
        for (c = 1; c <= 3; c++) {
            cd = codings[c]
            lk = "libtiff" SUBSEP p SUBSEP cd; tk = "telefax" SUBSEP p SUBSEP cd; fk = "fax" SUBSEP p SUBSEP cd
            le = mps(px[p], enc[lk]); ld = mps(px[p], dec[lk])
            te = mps(px[p], enc[tk]); td = mps(px[p], dec[tk])
            if (fk in enc) { fe = sprintf("%9.1f", mps(px[p], enc[fk])); fd = sprintf("%9.1f", mps(px[p], dec[fk]));
                             re = sprintf("%7.2f", te / mps(px[p], enc[fk])); rd = sprintf("%7.2f", td / mps(px[p], dec[fk])) }
            else { fe = fd = sprintf("%9s", "-"); re = rd = sprintf("%7s", "-") }
            printf "%-20s %-4s | %9.1f %9.1f | %9.1f %9.1f | %s %s | %7.2f %7.2f | %s %s\n", \
                p, cd, le, ld, te, td, fe, fd, te / le, td / ld, re, rd
            if (te / le < min_e || min_e == 0) min_e = te / le
            if (td / ld < min_d || min_d == 0) min_d = td / ld
        }
    }
    printf "lowest telefax/libtiff ratio: encode %.2f, decode %.2f (target >= 2)\n", min_e, min_d
    printf "coded sizes (bytes, libtiff/telefax):"
    for (i = 0; i < n; i++) for (c = 1; c <= 3; c++) {
        cd = codings[c]; printf " %s:%s=%s/%s", order[i], cd, bytes["libtiff" SUBSEP order[i] SUBSEP cd], bytes["telefax" SUBSEP order[i] SUBSEP cd]
    }
    printf "\n"
}' "$WORK/results.txt"
