#!/usr/bin/env bash
# Prints nvcc's ptxas resource report (registers, spills, shared memory) of
# every CUDA kernel in kernels/cuda/, for one architecture (default sm_90).
# No GPU needed. Usage: scripts/ptxas_report.sh [sm_80|sm_90]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-sm_90}
out=$(mktemp -d)
for cu in kernels/cuda/*.cu; do
  echo "== $cu"
  nvcc -std=c++17 --expt-relaxed-constexpr -O3 -arch="$arch" -Xptxas -v -I. -c "$cu" -o "$out/$(basename "$cu").o" 2>&1 |
    awk '/Compiling entry function/ { name = $0; sub(/.*function ./, "", name); sub(/. for .*/, "", name) }
         /spill stores/ { spills = $0 }
         /Used [0-9]+ registers/ {
           cmd = "c++filt " name; cmd | getline pretty; close(cmd)
           sub(/^ptxas info *: */, "", $0); sub(/^ *[0-9]+ bytes stack frame, */, "", spills)
           printf "  %-90.90s %s | %s\n", pretty, $0, spills }'
done
rm -rf "$out"
