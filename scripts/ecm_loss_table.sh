#!/usr/bin/env bash
# ECM against random frame loss (issue 8): two telefax endpoints over the line simulator,
# ECM on (MMR), the caller-to-answerer line destroying each ECM data frame (FCD) with
# probability p (`telefax simulate --frame-loss p`, see telefax::simulate::FrameLoss).
#   scripts/ecm_loss_table.sh [PATH/TO/telefax]
# Env: SEEDS (default "1 2 3 4 5"), PS (loss probabilities), SIZES ("256 64"), PAGES ("1 5").
# Prints markdown: one row per (p, frame size, pages) over all seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-target/release/telefax}
[ -x "$T" ] || cargo build --release -p telefax-cli >/dev/null
SEEDS=${SEEDS:-1 2 3 4 5}
PS=${PS:-0 0.01 0.05 0.1 0.2 0.3 0.5}
SIZES=${SIZES:-256 64}
PAGES=${PAGES:-1 5}
ONE=tests/data/pages/textshort_std.tif
FIVE=$(mktemp -d)/five.tif
trap 'rm -rf "$(dirname "$FIVE")"' EXIT
# Five pages: the short text page, the three pages of multi3, the text page again.
tiffcp "$ONE" tests/data/pages/multi3_std.tif "$ONE" "$FIVE"

val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "### ECM against random frame loss (MMR, ECM on, seeds: $SEEDS)"
echo
echo "| frame loss p | frame size | pages | success | pages delivered exact | mean s per page | PPR per call | CTC (calls) | EOR | failures |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for p in $PS; do
    for fs in $SIZES; do
        for np in $PAGES; do
            doc=$ONE; [ "$np" = 5 ] && doc=$FIVE
            ok=0 n=0 exact=0 secs=0 ppr=0 ctc=0 ctc_calls=0 eor=0 fails=""
            for s in $SEEDS; do
                n=$((n + 1))
                line=$("$T" simulate --send "$doc" --ecm on --codings mh,mr,mmr --ecm-frame-size "$fs" \
                    --frame-loss "$p" --seed "$s" --max-seconds 3600 2>/dev/null | tail -1 || true)
                case "$line" in result=OK*) ok=$((ok + 1));; *) fails="$fails $(val reason "$line")@$(val phase "$line")";; esac
                e=$(val pages_exact "$line"); exact=$((exact + ${e:-0}))
                a=$(val audio_s "$line"); secs=$(awk "BEGIN{print $secs + ${a:-0}}")
                r=$(val ppr "$line"); ppr=$((ppr + ${r:-0}))
                c=$(val ctc "$line"); ctc=$((ctc + ${c:-0})); [ "${c:-0}" -gt 0 ] && ctc_calls=$((ctc_calls + 1))
                o=$(val eor "$line"); eor=$((eor + ${o:-0}))
            done
            printf '| %s | %s | %s | %d/%d | %d/%d | %s | %.1f | %d (%d) | %d |%s |\n' \
                "$p" "$fs" "$np" "$ok" "$n" "$exact" $((n * np)) \
                "$(awk "BEGIN{ if ($exact > 0) printf \"%.1f\", $secs / $exact; else print \"-\" }")" \
                "$(awk "BEGIN{print $ppr / $n}")" "$ctc" "$ctc_calls" "$eor" "${fails:+$fails}"
        done
    done
done
