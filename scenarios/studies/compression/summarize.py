#!/usr/bin/env python3
"""Table of the compression study: one row per uplink codec, mean +- spread over seeds.

Usage: summarize.py OUT_DIR [TARGET_ACCURACY]
OUT_DIR is a `flemu sweep` output folder (one sub-folder per variant with scenario.json,
metrics.csv and summary.json). Columns:
  ratio      dense fp32 upload bytes / encoded upload bytes, over the whole run (summary.json)
  last       the same ratio in the last round alone (DGC's warm-up makes the two differ)
  paper      the ratio the codec's paper would count (summary.json paper_ratio_up)
  t80        simulated seconds until test accuracy first reaches the target ("-": never)
  J/update   all phones' energy (compute + radio) divided by the updates that reached the server
  final      test accuracy after the last round
"""
import csv
import json
import math
import os
import statistics
import sys


def label_of(codec):
    extra = [f"{k}={v}" for k, v in sorted(codec.items()) if k != "name"]
    return codec["name"] + (" " + " ".join(extra) if extra else "")


def one_run(folder, target):
    with open(os.path.join(folder, "scenario.json")) as f:
        scenario = json.load(f)
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(folder, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    codec = scenario["algorithm"].get("compression", {}).get("up", {"name": "none"})
    comp = summary.get("compression", {})
    updates = sum(int(r["updates"]) for r in rows)
    energy = float(rows[-1]["cum_energy_j"]) if rows else math.nan
    t80 = next((float(r["time_s"]) for r in rows if r["accuracy"] and float(r["accuracy"]) >= target), math.nan)
    last = rows[-1] if rows else {}
    last_ratio = float(last["compression_ratio"]) if last.get("compression_ratio") else 1.0
    final = next((float(r["accuracy"]) for r in reversed(rows) if r["accuracy"]), math.nan)
    return {
        "label": label_of(codec),
        "seed": scenario.get("seed"),
        "ratio": comp.get("ratio_up", 1.0),
        "last": last_ratio,
        "paper": comp.get("paper_ratio_up", 1.0),
        "t80": t80,
        "j_per_update": energy / updates if updates else math.nan,
        "final": final,
    }


def mean_spread(values):
    ok = [v for v in values if not math.isnan(v)]
    if not ok:
        return "-"
    if len(ok) < len(values):
        return f"{statistics.mean(ok):.3g} ({len(ok)}/{len(values)} seeds)"
    if len(ok) == 1:
        return f"{ok[0]:.3g}"
    return f"{statistics.mean(ok):.3g} ± {statistics.stdev(ok):.2g}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    target = float(sys.argv[2]) if len(sys.argv) > 2 else 0.8
    runs = []
    for name in sorted(os.listdir(out)):
        folder = os.path.join(out, name)
        if os.path.isfile(os.path.join(folder, "summary.json")):
            runs.append(one_run(folder, target))
    if not runs:
        sys.exit(f"summarize.py: no finished run under {out}")
    order = []
    for r in runs:
        if r["label"] not in order:
            order.append(r["label"])
    cols = ["ratio", "last", "paper", "t80", "j_per_update", "final"]
    heads = ["ratio (run)", "ratio (last round)", "paper's count", f"time to {target:.0%} [s]", "energy/update [J]",
             "final accuracy"]
    print("| uplink codec | seeds | " + " | ".join(heads) + " |")
    print("|---|---|" + "---|" * len(heads))
    for label in order:
        group = [r for r in runs if r["label"] == label]
        cells = [mean_spread([r[c] for r in group]) for c in cols]
        print(f"| {label} | {len(group)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
