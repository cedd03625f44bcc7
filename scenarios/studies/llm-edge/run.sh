#!/usr/bin/env bash
# The llm-edge study: the methods of methods.json, seeds 1-3, uplinks 10 Mbps and 1 Mbps, then
# the README's table (table.md).
#
#   scenarios/studies/llm-edge/run.sh [OUT_DIR]          (default out/llm-edge; run from the
#                                                         repository root: the base model is
#                                                         cached in out/checkpoints)
#   SLOW_SEEDS=1 PARALLEL=2 FLEMU=build/flemu scenarios/studies/llm-edge/run.sh
#
# What runs (the README says why this is enough):
#   real/seed<s>-10Mbps      real training, every method, seeds 1-3 (21 runs): perplexity,
#                            bytes, flops and time at 10 Mbps;
#   real/seed<s>-1Mbps       real training at 1 Mbps for the seeds in SLOW_SEEDS (default 1 2 3: 21 runs;
#                            SLOW_SEEDS=1: 7): the real 1 Mbps times, and the check that the learning
#                            (losses, perplexities, bytes, flops) is the 10 Mbps run's bit for bit;
#   analytic/seed<s>-<up>    every method, seeds 1-3, both uplinks, `training: analytic` (a few
#                            seconds each): the 1 Mbps time of a seed without a real 1 Mbps run.
# Synchronous rounds without a deadline learn the same whatever the uplink (the test
# "[llm][uplink]" asserts it), so the perplexity of a seed is its 10 Mbps run's at both uplinks.
#
# Each run has one job thread (--jobs 1): results do not depend on it, and two runs at once
# (PARALLEL=2) use two cores. A finished variant is skipped when the study is rerun.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
flemu="${FLEMU:-$root/build/flemu}"
out="${1:-out/llm-edge}"
parallel="${PARALLEL:-1}"
slow_seeds="${SLOW_SEEDS:-1 2 3}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The base model, once: every variant finds it in the cache (out/checkpoints) by its key.
"$flemu" pretrain "$here/base.json"
sweep() {  # sweep DIR SEED UPLINK [--set ...]
  local dir="$1" seed="$2" up="$3"
  shift 3
  "$flemu" sweep "$here/methods.json" --quiet --jobs 1 --parallel "$parallel" \
    --set "/seed=$seed" --set "/platform/classes/phone/uplink=$up" "$@" -o "$out/$dir"
}
for seed in 1 2 3; do
  for up in 10Mbps 1Mbps; do
    sweep "analytic/seed$seed-$up" "$seed" "$up" --set /training=analytic
  done
done
for seed in 1 2 3; do
  sweep "real/seed$seed-10Mbps" "$seed" 10Mbps
  if [[ " $slow_seeds " == *" $seed "* ]]; then sweep "real/seed$seed-1Mbps" "$seed" 1Mbps; fi
done
node "$here/summarize.js" "$out" | tee "$out/table.md"
