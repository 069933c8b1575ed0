#!/usr/bin/env bash
# Live fax calls between separate processes over the pipe protocol (issue 7, "Proof"):
# `telefax peer` against `sppeer` (a spandsp 0.0.6 fax terminal, crates/telefax-interop),
# joined by two FIFOs, in both directions:
#   1. telefax calls and sends     -> sppeer answers and receives
#   2. sppeer calls and sends      -> telefax answers and receives
# Each received document is compared page by page (size and every pixel) with the one sent.
# Exits non-zero if any call fails or any page differs.
#
#   scripts/peer_interop.sh [--self] [--keep] [-m MODEMS] [-e 0|1] [SEND.tif]
#
#   --self   sppeer against sppeer (checks the harness when `telefax peer` is unavailable;
#            chosen automatically if `telefax peer --help` lacks --call/--answer)
#   --keep   keep the work directory (received TIFFs, logs)
#   -m       modems for both ends (default v17,v29,v27ter), -e ECM 0/1 (default 0)
#   SEND.tif the document to send (default tests/data/calls/p02_v29_noecm_2d_chartshort_std/sent.tif)
#
# Needs libspandsp-dev, pkg-config and libtiff-tools (tiffcmp). Environment: CARGO_TARGET_DIR
# (default target), TIMEOUT (seconds per call, default 180).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=telefax
keep=0
modems=v17,v29,v27ter
ecm=0
send="$root/tests/data/calls/p02_v29_noecm_2d_chartshort_std/sent.tif"
while [ $# -gt 0 ]; do
    case "$1" in
    --self) mode=self ;;
    --keep) keep=1 ;;
    -m) modems=$2; shift ;;
    -e) ecm=$2; shift ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "peer_interop: unknown option $1" >&2; exit 2 ;;
    *) send=$1 ;;
    esac
    shift
done
timeout_s=${TIMEOUT:-180}
target=${CARGO_TARGET_DIR:-$root/target}
[ -f "$send" ] || { echo "peer_interop: no such file: $send" >&2; exit 2; }
command -v tiffcmp >/dev/null || { echo "peer_interop: tiffcmp (libtiff-tools) not found" >&2; exit 2; }

echo "== building (release): telefax, sppeer" >&2
(cd "$root" && cargo build --release -q -p telefax-cli --bin telefax && cargo build --release -q -p telefax-interop --bin sppeer)
telefax=$target/release/telefax
sppeer=$target/release/sppeer
if [ "$mode" = telefax ]; then
    help=$("$telefax" peer --help 2>/dev/null || true)
    if ! grep -q -- --call <<<"$help" || ! grep -q -- --answer <<<"$help"; then
        echo "peer_interop: \`telefax peer\` is not implemented in this build: running sppeer against sppeer instead" >&2
        mode=self
    fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/peer_interop.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The command line of one end: role (call|answer), job (send|receive FILE), who (telefax|sppeer).
peer_cmd() {
    local who=$1 role=$2 job=$3 file=$4
    if [ "$who" = telefax ]; then
        local codings=mh,mr
        [ "$ecm" = 1 ] && codings=mh,mr,mmr
        echo "$telefax" peer "--$role" "--$job" "$file" --ecm "$([ "$ecm" = 1 ] && echo on || echo off)" \
            --modems "$modems" --codings "$codings"
    else
        local r=-A j=-r
        [ "$role" = call ] && r=-C
        [ "$job" = send ] && j=-s
        echo "$sppeer" "$r" "$j" "$file" -m "$modems" -e "$ecm" -t "$timeout_s"
    fi
}

# Compare two TIFFs page by page: `telefax convert` both to uncompressed MSB-first TIFFs, then
# tiffcmp -t (image data only, tags ignored). Also require the same number of pages.
same_pages() {
    local a=$1 b=$2 n=$3
    "$telefax" convert "$a" -o "$work/$n.a.tif" --coding none --fill-order msb >/dev/null
    "$telefax" convert "$b" -o "$work/$n.b.tif" --coding none --fill-order msb >/dev/null
    local pa pb
    pa=$(tiffinfo "$work/$n.a.tif" 2>/dev/null | grep -c "TIFF Directory" || true)
    pb=$(tiffinfo "$work/$n.b.tif" 2>/dev/null | grep -c "TIFF Directory" || true)
    if [ "$pa" != "$pb" ] || [ "$pa" = 0 ]; then
        echo "pages differ: $pa sent, $pb received" >&2
        return 1
    fi
    tiffcmp -t "$work/$n.a.tif" "$work/$n.b.tif" >&2
}

fail=0
run_call() {
    local n=$1 caller=$2 caller_job=$3 answerer=$4 answerer_job=$5
    local recv="$work/$n.recv.tif"
    local cfile afile
    if [ "$caller_job" = send ]; then cfile=$send afile=$recv; else cfile=$recv afile=$send; fi
    rm -f "$work/c2a" "$work/a2c"
    mkfifo "$work/c2a" "$work/a2c"
    local ccmd acmd
    ccmd=$(peer_cmd "$caller" call "$caller_job" "$cfile")
    acmd=$(peer_cmd "$answerer" answer "$answerer_job" "$afile")
    echo "== call $n: $caller calls and ${caller_job}s, $answerer answers and ${answerer_job}s" >&2
    echo "   answerer: $acmd" >&2
    echo "   caller:   $ccmd" >&2
    # FIFO open order as in ../shared/tools/README.md: answerer reads c2a, caller writes it.
    # shellcheck disable=SC2086
    timeout "$((timeout_s + 60))" $acmd <"$work/c2a" >"$work/a2c" 2>"$work/$n.answerer.log" &
    local apid=$!
    local cst=0 ast=0
    # shellcheck disable=SC2086
    timeout "$((timeout_s + 60))" $ccmd >"$work/c2a" <"$work/a2c" 2>"$work/$n.caller.log" || cst=$?
    wait "$apid" || ast=$?
    echo "   caller   exit $cst: $(grep -a 'result' "$work/$n.caller.log" | tail -1 || tail -1 "$work/$n.caller.log")" >&2
    echo "   answerer exit $ast: $(grep -a 'result' "$work/$n.answerer.log" | tail -1 || tail -1 "$work/$n.answerer.log")" >&2
    if [ "$cst" != 0 ] || [ "$ast" != 0 ]; then
        echo "FAIL call $n: exit status caller $cst, answerer $ast" >&2
        [ "$cst" = 124 ] || [ "$ast" = 124 ] && echo "   (timeout)" >&2
        fail=1
        return
    fi
    if ! same_pages "$send" "$recv" "$n"; then
        echo "FAIL call $n: received pages differ from the pages sent" >&2
        fail=1
        return
    fi
    echo "PASS call $n" >&2
}

if [ "$mode" = self ]; then
    run_call 1 sppeer send sppeer receive
else
    run_call 1 telefax send sppeer receive
    run_call 2 sppeer send telefax receive
fi
exit $fail
