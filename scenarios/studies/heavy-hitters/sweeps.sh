#!/usr/bin/env bash
# Sweeps over epsilon, k, the number of parties and the skew on zipf-fed, as pure maths
# (10^6 users, 5 seeds each, fast path), for pem-local, tap and taps; one TSV per sweep in
# $OUT: value method f1_mean f1_sd ncr_mean ncr_sd. Defaults elsewhere: eps 2, k 10, 5 parties,
# skew 0.6. Usage: sweeps.sh [build/flemu] [out-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
FLEMU="${1:-$here/../../../build/flemu}"
OUT="${2:-out/studies/heavy-hitters/sweeps}"
mkdir -p "$OUT"
run() {  # sweep-name value extra --set arguments...
  local name=$1 value=$2; shift 2
  for method in pem pem-local tap taps; do
    local dir="$OUT/$name/$method-$value"
    nice "$FLEMU" analytics "$here/zipf-fed.json" --users 1000000 --trials 5 --fast \
      --set "/algorithm/name=\"$method\"" "$@" -o "$dir" > /dev/null
    jq -r --arg v "$value" '[$v, .method, .f1_mean, .f1_sd, .ncr_mean, .ncr_sd] | @tsv' "$dir/summary.json" >> "$OUT/$name.tsv"
  done
}
for f in epsilon k parties skew; do : > "$OUT/$f.tsv"; done
for eps in 0.5 1 2 4 8; do run epsilon "$eps" --set "/algorithm/epsilon=$eps"; done
for k in 5 10 20 40; do run k "$k" --set "/algorithm/k=$k"; done
for p in 2 5 10 20; do run parties "$p" --set "/platform/classes/0/count=$p"; done
for s in 0 0.3 0.6 0.9; do run skew "$s" --set "/workload/items/skew=$s"; done
echo "wrote $OUT/{epsilon,k,parties,skew}.tsv"
