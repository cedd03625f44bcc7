#!/usr/bin/env bash
# The card's pass checks on zipf-fed (analytics-and-data.md A.9), as pure maths at the card's
# scale: 10^6 users, 5 parties, 10 seeds, fast path (support counts drawn from binomials; the
# unit tests check it against per-user reports). Writes one line per configuration to
# $OUT/card.tsv: skew method epsilon k f1_mean f1_sd ncr_mean ncr_sd.
# Usage: scenarios/studies/heavy-hitters/card-checks.sh [build/flemu] [out-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
FLEMU="${1:-$here/../../../build/flemu}"
OUT="${2:-out/studies/heavy-hitters/card}"
mkdir -p "$OUT"
: > "$OUT/card.tsv"
for skew in 0 0.3 0.6; do
  for eps in 1 2 4; do
    for k in 10 20; do
      for method in pem pem-local tap taps; do
        dir="$OUT/$method-skew$skew-eps$eps-k$k"
        nice "$FLEMU" analytics "$here/zipf-fed.json" --users 1000000 --trials 10 --fast \
          --set "/algorithm/name=\"$method\"" --set "/workload/items/skew=$skew" \
          --set "/algorithm/epsilon=$eps" --set "/algorithm/k=$k" -o "$dir" > /dev/null
        jq -r --arg s "$skew" '[$s, .method, .epsilon, .k, .f1_mean, .f1_sd, .ncr_mean, .ncr_sd] | @tsv' \
          "$dir/summary.json" >> "$OUT/card.tsv"
      done
    done
  done
done
echo "wrote $OUT/card.tsv"
