#!/usr/bin/env python3
"""Time and energy each variant of the sweep needs to reach a test accuracy, from its
metrics.csv and summary.json (outputs only).

Usage: compare.py OUTPUT_DIR [TARGET ...]   (default targets 0.75 0.80)"""
import csv, json, os, sys

def main(out, targets):
    print("| variant | s/round | J/round | best acc | final acc | " +
          " | ".join(f"to {t:.0%}: s, J (round)" for t in targets) + " |")
    print("|---" * (5 + len(targets)) + "|")
    for d in sorted(os.listdir(out)):
        path = os.path.join(out, d)
        if not os.path.exists(os.path.join(path, "summary.json")):
            continue
        rows = list(csv.DictReader(open(os.path.join(path, "metrics.csv"))))
        s = json.load(open(os.path.join(path, "summary.json")))
        n = len(rows)
        cells = [f"{float(rows[-1]['time_s']) / n:.1f}", f"{float(rows[-1]['cum_energy_j']) / n:.0f}",
                 f"{s['best_accuracy']:.4f}", f"{s['final_accuracy']:.4f}"]
        for t in targets:
            hit = next((r for r in rows if r["accuracy"] and float(r["accuracy"]) >= t), None)
            cells.append(f"{float(hit['time_s']):.0f} s, {float(hit['cum_energy_j']):.0f} J ({hit['round']})" if hit else "not reached")
        print(f"| {d.split('-', 1)[1]} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/smarter-local-step",
         [float(t) for t in sys.argv[2:]] or [0.75, 0.80])
