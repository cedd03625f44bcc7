#!/usr/bin/env bash
# The llm-edge study: the methods of methods.json x seeds 1-3 x uplinks 10Mbps and 1Mbps
# (42 runs), then the README's table (table.md).
#
#   scenarios/studies/llm-edge/run.sh [OUT_DIR]          (default out/llm-edge)
#   PARALLEL=2 FLEMU=build/flemu scenarios/studies/llm-edge/run.sh
#
# Each run has one job thread (--jobs 1): results do not depend on it, and two runs at once
# (PARALLEL=2) use two cores. A finished variant is skipped when the sweep is rerun.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
flemu="${FLEMU:-$root/build/flemu}"
out="${1:-out/llm-edge}"
parallel="${PARALLEL:-1}"
# The base model, once: every variant finds it in the cache (out/checkpoints) by its key.
"$flemu" pretrain "$here/base.json"
for seed in 1 2 3; do
  for up in 10Mbps 1Mbps; do
    "$flemu" sweep "$here/methods.json" --quiet --jobs 1 --parallel "$parallel" \
      --set /seed=$seed --set /platform/classes/0/uplink=$up -o "$out/seed$seed-$up"
  done
done
node "$here/summarize.js" "$out" | tee "$out/table.md"
