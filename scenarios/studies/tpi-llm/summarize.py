#!/usr/bin/env python3
"""Tables of the TPI-LLM study from `flemu sweep` output folders.

Usage: summarize.py OUT_DIR
OUT_DIR is a sweep folder (one sub-folder per variant with scenario.json and summary.json).
One row per variant: algorithm (tpi-llm's all-reduce when it is the ring), model, devices, memory scheduler, link latency and bandwidth,
time to first token (s), mean token latency (s), the largest per-device peak memory (GB, weights
resident or loading + KV cache) and whether every device's peak fits its memory.
"""
import json
import os
import sys


def rows(folder):
    for name in sorted(os.listdir(folder)):
        d = os.path.join(folder, name)
        if not os.path.exists(os.path.join(d, "summary.json")):
            continue
        with open(os.path.join(d, "scenario.json")) as f:
            sc = json.load(f)
        with open(os.path.join(d, "summary.json")) as f:
            inf = json.load(f)["inference"]
        cls = sc["platform"]["classes"][0]
        a = sc["algorithm"]
        yield {
            "algorithm": a["name"] + (" (ring)" if a.get("tensor_allreduce") == "ring" else ""),
            "model": inf["model"],
            "devices": cls["count"],
            "ms": "on" if a.get("memory_scheduler", True) else "off",
            "latency": cls["latency"],
            "bandwidth": cls["bandwidth"],
            "ttft": inf["time_to_first_token_s"],
            "token": inf.get("token_latency_s", float("nan")),
            "peak": max(inf["peak_memory_bytes"]) / 1e9,
            "fits": "yes" if all(inf["fits_memory"]) else "no",
        }


def main():
    cols = ["algorithm", "model", "devices", "ms", "latency", "bandwidth", "ttft", "token", "peak", "fits"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows(sys.argv[1]):
        cells = [f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
