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
mkdir -p "$out/inputs"
out="$(cd "$out" && pwd)"
# The base model, once: every variant finds it in the cache (out/checkpoints) by its key.
"$flemu" pretrain "$here/base.json"
for seed in 1 2 3; do
  for up in 10Mbps 1Mbps; do
    # The sweep at this seed and uplink: copies of base.json and methods.json that differ in
    # these two values only.
    inputs="$out/inputs/seed$seed-$up"
    mkdir -p "$inputs"
    node -e '
      const fs = require("fs");
      const [here, inputs, seed, up] = process.argv.slice(1);
      const base = JSON.parse(fs.readFileSync(here + "/base.json", "utf8"));
      base.seed = Number(seed);
      base.platform.classes[0].uplink = up;
      fs.writeFileSync(inputs + "/base.json", JSON.stringify(base, null, 2) + "\n");
      const sweep = JSON.parse(fs.readFileSync(here + "/methods.json", "utf8"));
      sweep.base = inputs + "/base.json";
      fs.writeFileSync(inputs + "/methods.json", JSON.stringify(sweep, null, 2) + "\n");
    ' "$here" "$inputs" "$seed" "$up"
    "$flemu" sweep "$inputs/methods.json" --quiet --jobs 1 --parallel "$parallel" -o "$out/seed$seed-$up"
  done
done
node "$here/summarize.js" "$out" | tee "$out/table.md"
