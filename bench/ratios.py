#!/usr/bin/env python3
"""Prints the ratio table of Google Benchmark JSON results.

Usage:
  bench/ratios.py RESULTS.json [RESULTS2.json ...] [TORCH.json]

Several Google Benchmark files are read as one (say, the fast rows with
repetitions and the slow reference rows run once); a JSON without
"benchmarks" is PyTorch's.

Benchmarks that differ only in their label ("reference" / "fast") or in a
trailing "/0" vs "/1" argument are paired: the table shows each fast figure, the
reference figure and fast/reference. With the JSON of shared/tools/torch-reference
(--json), the SmallCNN rows also get advgrad/PyTorch; so do bench_effnet's rows
with the JSON of bench/torch_efficientnet_lite0.py --bench N --json.
Figures are medians when the run used --benchmark_repetitions.
"""
import json
import re
import sys
from collections import defaultdict


def rate(b):
    for key in ("items_per_second", "GFLOPS", "GFLOP/s", "gflops"):
        if key in b:
            return key, b[key]
    return "1/s", 1.0 / b["real_time"] * {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1}[b["time_unit"]]


# Our benchmark names -> the keys of torch_reference.py's JSON.
TORCH_KEYS = {"infer": "infer_img_s", "train_step": "train_img_s", "fgsm": "fgsm_img_s", "pgd10": "pgd10_img_s", "pgd7_at_step": "pgd7_at_step_img_s",
              "gemm/256": "gemm256_gflops", "gemm/512": "gemm512_gflops", "gemm/1024": "gemm1024_gflops",
              "conv2_fwd": "conv2_fwd_gflops",
              "effnet_infer": "effnet_infer_img_s", "effnet_pgd_step": "effnet_pgd_step_img_s"}


def torch_key(base):
    name = base.replace("BM_", "")
    if name in TORCH_KEYS:  # exact first: "effnet_infer" is not SmallCNN's "infer"
        return TORCH_KEYS[name]
    for ours, theirs in TORCH_KEYS.items():
        if name == ours or name.startswith(ours + "/") or name.endswith("_" + ours):
            return theirs
    return None


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = []
    torch_json = None
    for path in sys.argv[1:]:  # our results (one or more files), then optionally PyTorch's
        data = json.load(open(path))
        if "benchmarks" not in data:
            torch_json = data
            continue
        runs += [b for b in data["benchmarks"] if b.get("run_type") != "aggregate" or b.get("aggregate_name") == "median"]
    table = defaultdict(dict)
    for b in runs:
        # "BM_x/1/iterations:2/real_time" -> "BM_x/1": settings are not part of the pairing.
        name = "/".join(part for part in b.get("run_name", b["name"]).split("/")
                        if part != "real_time" and not re.match(r"(iterations|repeats|min_time):", part))
        base, _, arg = name.rpartition("/")
        if arg not in ("0", "1"):
            base, arg = name, "0"
        path = "reference" if arg == "1" or b.get("label") == "reference" else "fast"
        table[base][path] = rate(b)
    torch = torch_json or {}
    print(f"{'benchmark':<44} {'fast':>14} {'reference':>14} {'fast/ref':>9} {'vs torch':>9}")
    for base, paths in table.items():
        unit, fast = paths.get("fast", ("", float("nan")))
        ref = paths.get("reference", ("", float("nan")))[1]
        key = torch_key(base)
        vs = f"{fast / torch[key]:.2f}x" if key in torch and torch[key] else ""
        print(f"{base:<44} {fast:>14.4g} {ref:>14.4g} {fast / ref if ref == ref else float('nan'):>8.1f}x {vs:>9}  {unit}")


if __name__ == "__main__":
    main()
