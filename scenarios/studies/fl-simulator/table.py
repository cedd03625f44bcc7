#!/usr/bin/env python3
"""The README's table from a finished sweep: per method, mean ± std over the seeds of the
test accuracy at rounds 10/20/30 (best so far and at that round), simulated seconds per round,
and bytes per round (down + up, all clients) and per participating client.

Usage: table.py OUTPUT_DIR...   (sweep output directories, e.g. out/fl-simulator; runs are
grouped by method over all of them). Runs with "training": "analytic" measure no accuracy:
their accuracy cells read "-". Reads only the runs' metrics.csv and summary.json."""
import csv, json, os, re, statistics, sys

def stats(xs):
    m = statistics.mean(xs)
    s = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return m, s

def main(outs):
    runs = {}
    for out in outs:
        for d in sorted(os.listdir(out)):
            m = re.match(r"v\d+-(.+)_seed_(\d+)$", d)
            if not m or not os.path.exists(os.path.join(out, d, "summary.json")):
                continue
            rows = list(csv.DictReader(open(os.path.join(out, d, "metrics.csv"))))
            runs.setdefault(m.group(1), []).append(rows)
    checkpoints = [10, 20, 30]
    head = "| method | seeds | " + " | ".join(f"r{r} best | r{r} final" for r in checkpoints) + \
           " | s/round | MB/round | MB/client/round |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for method, seeds in runs.items():
        cells = []
        for r in checkpoints:
            if not all(rows[r - 1]["accuracy"] for rows in seeds):
                cells += ["-", "-"]
                continue
            best = [max(float(x["accuracy"]) for x in rows[:r] if x["accuracy"]) for rows in seeds]
            final = [float(rows[r - 1]["accuracy"]) for rows in seeds]
            cells += ["%.2f ± %.2f" % tuple(100 * v for v in stats(best)),
                      "%.2f ± %.2f" % tuple(100 * v for v in stats(final))]
        per_round = [float(rows[-1]["time_s"]) / len(rows) for rows in seeds]
        mb = [sum(float(x["bytes_down"]) + float(x["bytes_up"]) for x in rows) / len(rows) / 1e6 for rows in seeds]
        per_client = [sum(float(x["bytes_down"]) + float(x["bytes_up"]) for x in rows) /
                      sum(int(x["updates"]) for x in rows) / 1e6 for rows in seeds]
        cells += ["%.2f" % statistics.mean(per_round), "%.2f" % statistics.mean(mb), "%.3f" % statistics.mean(per_client)]
        print(f"| {method} | {len(seeds)} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main(sys.argv[1:] or ["out/fl-simulator"])
