#!/usr/bin/env bash
# Receiver speed against spandsp 0.0.6, one thread, same WAV (issues 3, 4, 5).
#   scripts/modem_speed.sh [ROUNDS] ["MODEM:RATE ..."]
# Needs the yardstick `refmodem` (../shared/tools/refmodem, built with make; set REFMODEM to
# its path). Each round runs, alternately on the same 20 s WAV (made by `refmodem tx`),
#   telefax modem rx --modem M --rate R X.wav --repeat 20
#   refmodem rx M R X.wav 20
# and reads each one's `realtime_x=` (CPU time of the receive loop). Prints the medians and
# their ratio as markdown, with the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-15}
SET=${2:-"v17:14400 v17:12000 v17:9600 v17:7200 v29:9600 v29:7200 v27ter:4800 v27ter:2400 v21:300"}
T=${TELEFAX:-target/release/telefax}
R=${REFMODEM:-/tmp/refmodem/refmodem}
[ -x "$T" ] || cargo build --release -p telefax-cli >/dev/null
[ -x "$R" ] || { echo "refmodem not found (set REFMODEM)" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
echo "| receiver | telefax | spandsp 0.0.6 | ratio (median of $N rounds) |"
echo "|---|---|---|---|"
for p in $SET; do
    m=${p%:*} r=${p#*:}
    "$R" tx "$m" "$r" 20 "$W/tx.wav" >/dev/null
    a=() b=()
    for _ in $(seq "$N"); do
        a+=("$("$T" modem rx --modem "$m" --rate "$r" "$W/tx.wav" --repeat 20 | grep -o 'realtime_x=[0-9.]*' | cut -d= -f2)")
        b+=("$("$R" rx "$m" "$r" "$W/tx.wav" 20 | grep -o 'realtime_x=[0-9.]*' | cut -d= -f2)")
    done
    python3 - "$m $r" "${a[*]}" "${b[*]}" <<'PY'
import statistics as s, sys
a = s.median(float(x) for x in sys.argv[2].split())
b = s.median(float(x) for x in sys.argv[3].split())
print(f"| {sys.argv[1]} | {a:.0f}× | {b:.0f}× | {a / b:.2f}× |")
PY
done
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
