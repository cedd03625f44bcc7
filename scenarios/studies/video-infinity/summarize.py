#!/usr/bin/env python3
"""Tables of the Video-Infinity study from `flemu sweep` output folders.

Usage: summarize.py OUT_DIR [OUT_DIR ...]
Each OUT_DIR is a sweep folder (one sub-folder per variant with scenario.resolved.json
and summary.json).
One row per variant: GPUs, latent frames per GPU and in all, which exchanges run (conv halos,
attention K/V), the GPU-to-GPU latency, the fixed cost of an exchange call and the effective
bandwidth, the time per video (s), the mean denoising step (s), the share of a middle GPU's
denoising time spent exchanging, and the bytes it sends per step (GB). Where a sweep has a
variant without any exchange for the same GPUs and links, the overhead column gives the time
relative to it (the paper's Appendix Table 3).
"""
import json
import os
import sys


def rate_bytes(text):
    units = {"GBps": 1e9, "MBps": 1e6, "Gbps": 1e9 / 8, "Mbps": 1e6 / 8}
    for u, f in units.items():
        if text.endswith(u):
            return float(text[: -len(u)]) * f
    raise ValueError(text)


def rows(folder):
    for name in sorted(os.listdir(folder)):
        d = os.path.join(folder, name)
        if not os.path.exists(os.path.join(d, "summary.json")):
            continue
        with open(os.path.join(d, "scenario.resolved.json")) as f:
            sc = json.load(f)
        with open(os.path.join(d, "summary.json")) as f:
            v = json.load(f)["video"]
        a = sc["algorithm"]
        link = sc["platform"]["cluster"]["intra_node"]
        sync = [k for k, on in (("conv", a["sync_conv"]), ("attn", a["sync_attention"])) if on]
        middle = v["gpus"] // 2
        yield {
            "gpus": v["gpus"],
            "frames/gpu": v["frames_per_gpu"],
            "frames": v["frames"],
            "sync": "+".join(sync) if sync else "none",
            "latency": link["latency"],
            "call": a.get("call_overhead", "0s"),
            "GB/s": rate_bytes(link["bandwidth"]) * link.get("efficiency", 1) / 1e9,
            "time s": v["time_per_video_s"],
            "step s": v["step_s"],
            "exchange": v["exchange_share"],
            "GB sent/step": v["bytes_sent_per_step"][middle] / 1e9,
        }


def main():
    cols = ["gpus", "frames/gpu", "frames", "sync", "latency", "call", "GB/s", "time s", "step s", "exchange",
            "GB sent/step", "overhead"]
    for folder in sys.argv[1:]:
        rs = list(rows(folder))
        key = lambda r: (r["gpus"], r["frames/gpu"], r["latency"], r["GB/s"])
        # The plain run of the same GPUs (no exchange: its call overhead does not matter).
        plain = {key(r): r["time s"] for r in rs if r["sync"] == "none"}
        print(f"\n{folder}\n")
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for r in rs:
            base = plain.get(key(r))
            r["overhead"] = f"{100 * (r['time s'] / base - 1):+.1f} %" if base else ""
            cells = [f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in cols]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
