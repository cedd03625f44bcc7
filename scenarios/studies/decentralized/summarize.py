#!/usr/bin/env python3
"""The study's table, from the sweeps' outputs (reads only what flemu wrote).

Usage: python3 scenarios/studies/decentralized/summarize.py [OUT_DIR]
OUT_DIR defaults to out/studies/decentralized; each algorithm's sweep folder is read variant by
variant (finished runs only). For every (algorithm, graph) it prints the mean and spread over the seeds of: the
final accuracy of the average model (full test set), the mean and worst node accuracy at the
last evaluation, the consensus distance at the end, simulated time and MB sent per node, and the
accuracy reached by a fixed simulated time and by a fixed amount of bytes (the slowest and
thriftiest runs' totals, so every run is compared where all have data).
"""
import csv
import json
import math
import os
import statistics
import sys

ALGOS = ["dpsgd", "dfedavg", "dfedsam", "dfedsam-mgs"]
GRAPHS = ["ring", "torus", "exponential", "complete"]


def runs(out):
    """Every finished variant of each algorithm's sweep (a folder with its summary.json; an
    unfinished run is a *.partial folder and is left out, so the table can be read mid-sweep)."""
    for algo in ALGOS:
        folder = os.path.join(out, algo)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            d = os.path.join(folder, name)
            if name.endswith(".partial") or not os.path.exists(os.path.join(d, "summary.json")):
                continue
            sc = json.load(open(os.path.join(d, "scenario.resolved.json")))
            yield algo, sc["platform"]["topology"]["kind"], sc["seed"], d


def read(d):
    rows = list(csv.DictReader(open(os.path.join(d, "metrics.csv"))))
    summary = json.load(open(os.path.join(d, "summary.json")))
    return rows, summary


def value(row, key):
    return float(row[key]) if row.get(key, "") != "" else math.nan


def at_most(rows, key, limit):
    """The last measured accuracy among rows with `key` <= limit."""
    best = math.nan
    for r in rows:
        if value(r, key) <= limit and r["accuracy"] != "":
            best = value(r, "accuracy")
    return best


def fmt(xs, digits=3):
    xs = [x for x in xs if not math.isnan(x)]
    if not xs:
        return "-"
    m = statistics.mean(xs)
    if len(xs) == 1:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ± {statistics.stdev(xs):.{digits}f}"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "out/studies/decentralized"
    table = {}
    for algo, graph, seed, d in runs(out):
        rows, s = read(d)
        table.setdefault((algo, graph), []).append((seed, rows, s))
    if not table:
        sys.exit(f"no study outputs under {out}")
    # Common budgets per graph: the smallest simulated time and bytes any algorithm's runs end at.
    budget = {}
    for graph in GRAPHS:
        ends = [(float(r[-1]["time_s"]), float(r[-1]["cum_bytes"])) for (a, g), v in table.items() if g == graph
                for _, r, _ in v]
        if ends:
            budget[graph] = (min(t for t, _ in ends), min(b for _, b in ends))
    print("| graph | algorithm | seeds | final x-bar accuracy | node accuracy mean / worst | consensus distance "
          "| s per round | MB sent per node | accuracy by T | accuracy by B |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for graph in GRAPHS:
        t_budget, b_budget = budget.get(graph, (math.nan, math.nan))
        for algo in ALGOS:
            v = table.get((algo, graph))
            if not v:
                continue
            final = [s["final_accuracy"] or math.nan for _, _, s in v]
            last_eval = [next(r for r in reversed(rows) if r["node_accuracy_mean"] != "") for _, rows, _ in v]
            node_mean = [value(r, "node_accuracy_mean") for r in last_eval]
            node_min = [value(r, "node_accuracy_min") for r in last_eval]
            consensus = [value(rows[-1], "consensus_distance") for _, rows, _ in v]
            per_round = [float(rows[-1]["time_s"]) / len(rows) for _, rows, _ in v]
            mb_node = [s["traffic"]["bytes_sent"]["mean"] / 1e6 for _, _, s in v]
            by_t = [at_most(rows, "time_s", t_budget) for _, rows, _ in v]
            by_b = [at_most(rows, "cum_bytes", b_budget) for _, rows, _ in v]
            print(f"| {graph} | {algo} | {len(v)} | {fmt(final)} | {fmt(node_mean)} / {fmt(node_min)} | "
                  f"{fmt(consensus, 4)} | {fmt(per_round, 2)} | {fmt(mb_node, 0)} | {fmt(by_t)} | {fmt(by_b)} |")
    print()
    for graph in GRAPHS:
        if graph in budget:
            t, b = budget[graph]
            print(f"{graph}: T = {t:.1f} s, B = {b / 1e9:.2f} GB (all nodes)")


if __name__ == "__main__":
    main()
