#!/usr/bin/env bash
# Builds advgrad (Release) and runs its main job, the workshop, on real Fashion-MNIST
# (Debian's dataset-fashion-mnist, installed by install-deps.sh).
# Usage: scripts/run.sh [advgrad subcommand and flags]   (default: workshop)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset release "${launcher[@]}" >/dev/null
cmake --build --preset release -j "$(nproc)" --target advgrad_cli
[ $# -eq 0 ] && set -- workshop
exec build/release/apps/advgrad "$@"
