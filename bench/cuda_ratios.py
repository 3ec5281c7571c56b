#!/usr/bin/env python3
"""Prints the CPU-vs-CUDA ratio table of bench_cuda's Google Benchmark JSON.

Usage:
  build/release/bench/bench_cuda --benchmark_repetitions=5 --benchmark_out=cuda.json
  bench/cuda_ratios.py cuda.json

One row per workload, one column per path (cpu-reference, cpu, cuda,
cuda-direct, cuda-tiled, cuda-cudnn), figures are medians when the run has repetitions:
GFLOP/s where the benchmark reports them, images/s otherwise. A CUDA column
reads "no device" when the run had no GPU (the benchmark skipped it) and
carries "(emu)" when it ran on the emulated device; ratios are only printed
between real measurements, never against the emulator. The cuda/cudnn column
is our CUDA path's throughput over cuDNN's (above 1x: ours is faster); a
cuda-cudnn cell reads "no cuDNN" when the build or the machine has none.
"""
import json
import sys
from collections import defaultdict

PATHS = ["cpu-reference", "cpu", "cuda", "cuda-direct", "cuda-tiled", "cuda-cudnn"]  # index = bench_cuda's Path


def figure(b):
    if "GFLOPS" in b:
        return b["GFLOPS"], "GFLOP/s"
    if "items_per_second" in b:
        return b["items_per_second"], "img/s"
    return None, ""


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = json.load(open(sys.argv[1]))
    table = defaultdict(dict)
    units = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        parts = name.split("/")
        workload = parts[0].replace("BM_", "") + ("/" + parts[2] if len(parts) > 2 and parts[2].isdigit() else "")
        path_index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1
        path = PATHS[path_index] if path_index < len(PATHS) else str(path_index)
        if b.get("error_occurred"):
            table[workload][path] = (None, b.get("error_message", "skipped"))
            continue
        value, unit = figure(b)
        units[workload] = unit
        table[workload][path] = (value, "(emu)" if "emulated" in b.get("label", "") else "")

    def cell(entry):
        if entry is None:
            return "-"
        value, note = entry
        return note if value is None else f"{value:.4g}{' ' + note if note else ''}"

    def real(entry):
        return entry is not None and entry[0] is not None and entry[1] == ""

    header = f"{'workload':<16}" + "".join(f"{p:>16}" for p in PATHS) + f"{'cuda/cpu':>10}{'cuda/ref':>10}{'cuda/cudnn':>12}  unit"
    print(header)
    for workload, paths in table.items():
        row = f"{workload:<16}" + "".join(f"{cell(paths.get(p)):>16}" for p in PATHS)
        cuda, cpu, ref, cudnn = paths.get("cuda"), paths.get("cpu"), paths.get("cpu-reference"), paths.get("cuda-cudnn")
        row += f"{(f'{cuda[0] / cpu[0]:.1f}x' if real(cuda) and real(cpu) else ''):>10}"
        row += f"{(f'{cuda[0] / ref[0]:.0f}x' if real(cuda) and real(ref) else ''):>10}"
        row += f"{(f'{cuda[0] / cudnn[0]:.2f}x' if real(cuda) and real(cudnn) else ''):>12}"
        print(row + "  " + units.get(workload, ""))


if __name__ == "__main__":
    main()
