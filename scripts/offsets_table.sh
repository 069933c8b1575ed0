#!/usr/bin/env bash
# V.27ter/V.29 under carrier and clock offsets: the rows of README's "Carrier and clock offsets".
#   TELEFAX=path SPMODEM=path scripts/offsets_table.sh
# For each modem, rate and SNR, both transmitters (st = spandsp via the interop crate's
# `spmodem tx`, tt = `telefax modem tx`) send 20 s of the O.151 pattern at -13 dBm0;
# `telefax modem line --snr-db S --seed 1` adds noise with each offset, and `telefax modem rx`
# counts bad bits. Prints one line per row: bad bits for AWGN only, +10 Hz, -10 Hz, +100 ppm,
# -100 ppm, +10 Hz +100 ppm, -10 Hz -100 ppm (divide by the bits checked, about 45k/95k/142k/189k
# at 2400/4800/7200/9600 bit/s, for the BER).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${TELEFAX:-target/release/telefax}
S=${SPMODEM:-target/release/spmodem}
[ -x "$T" ] || cargo build --quiet --release -p telefax-cli
[ -x "$S" ] || cargo build --quiet --release -p telefax-interop --bin spmodem
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
echo "modem rate snr tx: awgn +10Hz -10Hz +100ppm -100ppm +10Hz+100ppm -10Hz-100ppm"
for spec in "v27ter 2400 8" "v27ter 2400 9" "v27ter 4800 15" "v27ter 4800 16" "v29 4800 12" \
            "v29 4800 13" "v29 7200 15" "v29 7200 16" "v29 9600 19" "v29 9600 20" "v29 9600 21"; do
    read -r m r snr <<<"$spec"
    [ -f "$W/st_$m$r.wav" ] || "$S" tx "$m" "$r" 20 "$W/st_$m$r.wav" >/dev/null
    [ -f "$W/tt_$m$r.wav" ] || "$T" modem tx --modem "$m" --rate "$r" --seconds 20 -o "$W/tt_$m$r.wav" >/dev/null
    for tx in st tt; do
        line="$m $r $snr $tx:"
        for c in "0 0" "10 0" "-10 0" "0 100" "0 -100" "10 100" "-10 -100"; do
            read -r f p <<<"$c"
            "$T" modem line "$W/${tx}_$m$r.wav" -o "$W/l.wav" --snr-db "$snr" --seed 1 \
                --freq-offset-hz "$f" --drift-ppm "$p" >/dev/null
            out=$("$T" modem rx --modem "$m" --rate "$r" "$W/l.wav")
            if grep -q 'trained=1' <<<"$out"; then
                line="$line $(grep -o 'bad=[0-9]*' <<<"$out" | cut -d= -f2)"
            else
                line="$line no-train"
            fi
        done
        echo "$line"
    done
done
