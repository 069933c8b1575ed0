#!/usr/bin/env bash
# BER against SNR for every modem and rate, in four combinations:
#   ss = spandsp tx -> spandsp rx     st = spandsp tx -> telefax rx
#   ts = telefax tx -> spandsp rx     tt = telefax tx -> telefax rx
# Signal at -13 dBm0 (LEVEL), 20 s (SECONDS), AWGN over the whole 0-4 kHz band at -13-SNR dBm0,
# the same noise (same generator, same seed) added to both transmitters' signals.
# Prints a markdown table; each cell is the BER over the checked bits, "0" when error-free,
# "no-train" when the receiver never trained, "no-sync" when the BERT never synchronised.
#
# Usage: scripts/ber_sweep.sh [MODEM[:RATE] ...]        e.g. scripts/ber_sweep.sh v21 v17:14400
# Environment:
#   SECONDS_PER_RUN=20  LEVEL=-13  SEED=1234567
#   LEAD_MS=0              silence (then noise) before spandsp's signal; 0 = the signal starts
#                          at sample 0 like `telefax modem tx` (spandsp 0.0.6's V.17, V.27ter and
#                          low-SNR V.29 receivers do not train when noise alone precedes the
#                          signal: try LEAD_MS=100 to see it)
#   SNRS="30 24 20"        override the SNR list for every modem/rate
#   NOISE=auto|spandsp|telefax   who adds the noise: `telefax modem line` (auto: if it exists)
#                          or `spmodem noise` (spandsp's AWGN)
#   SPMODEM=path TELEFAX=path   prebuilt binaries (default: built here with cargo --release;
#                          TELEFAX= (set but empty) runs the spandsp column only)
#   WORK=dir               scratch directory (default: a temp dir, removed at exit)
set -euo pipefail

cd "$(dirname "$0")/.."
SECS=${SECONDS_PER_RUN:-20}
LEVEL=${LEVEL:--13}
SEED=${SEED:-1234567}
NOISE=${NOISE:-auto}

if [ -z "${SPMODEM:-}" ]; then
    cargo build --quiet --release -p telefax-interop --bin spmodem >&2
    SPMODEM="${CARGO_TARGET_DIR:-target}/release/spmodem"
fi
if [ -z "${TELEFAX+set}" ]; then
    if cargo build --quiet --release -p telefax-cli --bin telefax >&2; then
        TELEFAX="${CARGO_TARGET_DIR:-target}/release/telefax"
    else
        echo "note: telefax CLI did not build; telefax columns will read n/a" >&2
        TELEFAX=""
    fi
fi
probe=$("$SPMODEM" 2>&1 || true)
if ! grep -q usage <<<"$probe"; then
    echo "error: $SPMODEM does not run (built without libspandsp?)" >&2
    exit 2
fi

if [ -z "${WORK:-}" ]; then
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

have_telefax_modem() { # MODEM RATE: can our CLI transmit this modem/rate?
    [ -n "$TELEFAX" ] && "$TELEFAX" modem tx --modem "$1" --rate "$2" --seconds 0.1 -o "$WORK/probe.wav" >/dev/null 2>&1
}
if [ "$NOISE" = auto ]; then
    NOISE=spandsp
    if [ -n "$TELEFAX" ] && "$TELEFAX" modem line --help >/dev/null 2>&1; then
        NOISE=telefax
    fi
fi
echo "note: noise added by $NOISE; signal ${LEVEL} dBm0; ${SECS} s per run; spandsp lead ${LEAD_MS:-0} ms" >&2

add_noise() { # IN OUT SNR
    local noise_dbm0
    noise_dbm0=$(awk -v l="$LEVEL" -v s="$3" 'BEGIN { printf "%.2f", l - s }')
    if [ "$NOISE" = telefax ]; then
        "$TELEFAX" modem line "$1" -o "$2" --snr-db "$3" --seed "$SEED" >/dev/null
    else
        "$SPMODEM" noise "$1" "$2" "$noise_dbm0" "$SEED"
    fi
}

# One receive; prints a table cell.
cell() { # rx-side(s|t) MODEM RATE WAV
    local out
    if [ "$1" = s ]; then
        out=$("$SPMODEM" rx "$2" "$3" "$4" 2>/dev/null) || { echo "error"; return; }
    else
        out=$("$TELEFAX" modem rx --modem "$2" --rate "$3" "$4" 2>/dev/null) || { echo "error"; return; }
    fi
    local trained bits ber
    trained=$(sed -n 's/.*trained=\([0-9]*\).*/\1/p' <<<"$out")
    bits=$(sed -n 's/.* bits=\([0-9]*\).*/\1/p' <<<"$out")
    ber=$(sed -n 's/.* ber=\([^ ]*\).*/\1/p' <<<"$out")
    if [ "${trained:-0}" = 0 ]; then
        echo "no-train"
    elif [ "${bits:-0}" = 0 ]; then
        echo "no-sync"
    else
        awk -v b="$ber" 'BEGIN { if (b + 0 == 0) print "0"; else printf "%.1e\n", b }'
    fi
}

default_snrs() { # MODEM RATE
    case "$1:$2" in
        v21:300) echo "10 6 5 4 3 2 1 0" ;;
        v27ter:2400) echo "20 14 12 10 8 6" ;;
        v27ter:4800) echo "24 20 17 16 15 14 12" ;;
        v29:4800) echo "20 16 14 13 12 10" ;;
        v29:7200) echo "22 18 16 15 14 12" ;;
        v29:9600) echo "28 24 22 21 20 19 18 16" ;;
        v17:7200) echo "22 18 16 15 14 13 12" ;;
        v17:9600) echo "24 20 18 17 16 15 14" ;;
        v17:12000) echo "28 24 22 21 20 19 18" ;;
        v17:14400) echo "32 28 27 26 25 24 23 22 21 20" ;;
    esac
}

ALL="v21:300 v27ter:2400 v27ter:4800 v29:4800 v29:7200 v29:9600 v17:7200 v17:9600 v17:12000 v17:14400"
SEL=()
if [ $# -eq 0 ]; then
    read -r -a SEL <<<"$ALL"
else
    for a in "$@"; do
        for mr in $ALL; do
            case "$mr" in "$a" | "$a":*) SEL+=("$mr") ;; esac
        done
    done
fi

echo "| modem | rate | SNR dB | ss | st | ts | tt |"
echo "|---|---|---|---|---|---|---|"
for mr in "${SEL[@]}"; do
    m=${mr%%:*}
    r=${mr#*:}
    SPMODEM_LEAD_MS=${LEAD_MS:-0} "$SPMODEM" tx "$m" "$r" "$SECS" "$WORK/s.wav" "$LEVEL"
    tel=0
    if have_telefax_modem "$m" "$r"; then
        "$TELEFAX" modem tx --modem "$m" --rate "$r" --seconds "$SECS" --level-dbm0 "$LEVEL" -o "$WORK/t.wav" >/dev/null
        tel=1
    fi
    for snr in ${SNRS:-$(default_snrs "$m" "$r")}; do
        add_noise "$WORK/s.wav" "$WORK/sn.wav" "$snr"
        ss=$(cell s "$m" "$r" "$WORK/sn.wav")
        st=n/a ts=n/a tt=n/a
        if [ "$tel" = 1 ]; then
            st=$(cell t "$m" "$r" "$WORK/sn.wav")
            add_noise "$WORK/t.wav" "$WORK/tn.wav" "$snr"
            ts=$(cell s "$m" "$r" "$WORK/tn.wav")
            tt=$(cell t "$m" "$r" "$WORK/tn.wav")
        fi
        echo "| $m | $r | $snr | $ss | $st | $ts | $tt |"
    done
done
