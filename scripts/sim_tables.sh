#!/usr/bin/env bash
# Outcome tables of simulated calls (two telefax endpoints over the line simulator), as in
# README: line conditions (issue 7) and ECM against frame loss (issue 8).
#   scripts/sim_tables.sh [PATH/TO/telefax]
# Each row is one `telefax simulate` call per seed; it prints markdown. "Pages accepted and
# exact" counts pages the receiver confirmed (MCF/RTP) that are pixel-identical to the page
# sent; "copies refused" are damaged copies the receiver answered RTN (the sender retrains
# lower and sends the page again). ECM against random
# frame loss (`--frame-loss`, issue 8): scripts/ecm_loss_table.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-target/release/telefax}
[ -x "$T" ] || cargo build --release -p telefax-cli >/dev/null
PAGE=tests/data/pages/textshort_std.tif
SEEDS=${SEEDS:-1 2 3 4 5}

run() { # label, args...
    local label=$1; shift
    local ok=0 n=0 pages=0 bad=0 exact=0 refused=0 secs=0 modems="" fails="" line s a b e m rj
    for s in $SEEDS; do
        n=$((n + 1))
        line=$("$T" simulate --send "$PAGE" --seed "$s" "$@" 2>/dev/null | tail -1 || true)
        case "$line" in result=OK*) ok=$((ok + 1)); pages=$((pages + 1));; *) fails="$fails $(sed -n 's/.*reason=\([^ ]*\).*/\1/p' <<<"$line")";; esac
        b=$(sed -n 's/.* bad_rows=\([0-9]*\).*/\1/p' <<<"$line"); bad=$((bad + ${b:-0}))
        e=$(sed -n 's/.* pages_exact=\([0-9]*\).*/\1/p' <<<"$line"); exact=$((exact + ${e:-0}))
        rj=$(sed -n 's/.* copies_not_accepted=\([0-9]*\).*/\1/p' <<<"$line"); refused=$((refused + ${rj:-0}))
        a=$(sed -n 's/.* audio_s=\([0-9.]*\).*/\1/p' <<<"$line"); secs=$(awk "BEGIN{print $secs + ${a:-0}}")
        m=$(sed -n 's/.* modem=\(V\.[0-9a-z]* [0-9]*\).*/\1/p' <<<"$line"); modems="$modems${m:+$m;}"
    done
    printf '| %s | %d/%d | %d/%d | %d | %d | %s | %.1f |%s |\n' "$label" "$ok" "$n" "$exact" "$n" "$bad" "$refused" \
        "$(tr ';' '\n' <<<"$modems" | sed '/^$/d' | sort | uniq -c | awk '{printf "%s%s %s (%d)", sep, $2, $3, $1; sep=", "}')" \
        "$(awk "BEGIN{print $secs / $n}")" "${fails:+ failures:$fails}"
}

echo "### Calls over the line simulator (one page, ECM off, seeds: $SEEDS)"
echo
echo "| line | success | pages accepted and exact | bad rows in accepted pages | copies refused (RTN) | negotiated modem (calls) | mean call s | |"
echo "|---|---|---|---|---|---|---|---|"
for snr in 40 30 25 22 20 18 15 12 10; do run "AWGN, SNR $snr dB" --snr-db $snr; done
run "+100 ppm clock, SNR 30 dB" --drift-ppm 100 --snr-db 30
run "-100 ppm clock, SNR 30 dB" --drift-ppm -100 --snr-db 30
run "echo -20 dB / 20 ms, SNR 30 dB" --echo-db -20 --echo-ms 20 --snr-db 30
run "A-law" --alaw
run "µ-law" --ulaw
run "level -35 dBm0, SNR 40 dB re -13 dBm0" --level-dbm0 -35 --snr-db 40
echo
echo "### ECM against line dropouts (20 ms holes on the caller-to-answerer line)"
echo
echo "| dropouts/min | ECM | success | pages accepted and exact | bad rows in accepted pages | copies refused (RTN) | negotiated modem (calls) | mean call s | |"
echo "|---|---|---|---|---|---|---|---|---|"
for r in 0 2 5 10; do
    run "$r | on" --ecm on --bursts-per-min $r
    run "$r | off" --ecm off --bursts-per-min $r
done
