#!/usr/bin/env bash
# Fetches the ImageNet-A class list (Hendrycks et al. 2021) into the advgrad
# cache (the rule of io/cache_dir.h), from PyPI's timm wheel, which ships it
# as data:
#   imagenet-a/imagenet_a_synsets.txt   the 200 WordNet ids of ImageNet-A, in its order
#   imagenet-a/imagenet_a_indices.txt   their ImageNet-1k class indices, same order
# (timm 1.0.15, timm/data/_info/; only these two data files are used, no timm
# code). The ImageNet-A photos themselves are not fetched: see
# docs/natural-robustness.md for running the protocol on a folder of them.
# Each file is checked against its sha256 and fails loudly on a mismatch.
# Idempotent: a file already present with the right sha256 is left alone.
# Atomic: the wheel is downloaded into a temporary directory, each file is
# extracted and verified there, then renamed into place (scripts/wheel_files.sh).
# Needs python3 with pip (`pip download` only: nothing is installed).
set -euo pipefail

# shellcheck source=wheel_files.sh
source "$(dirname "$0")/wheel_files.sh"

# wheel requirement | file inside the wheel | name in the cache | sha256 of the file
files=(
  "timm==1.0.15|timm/data/_info/imagenet_a_synsets.txt|imagenet_a_synsets.txt|9826a24166e74ce62fb87b27889874ca26917542c745712309d6e25855d63bc2"
  "timm==1.0.15|timm/data/_info/imagenet_a_indices.txt|imagenet_a_indices.txt|e81223a35add6e78f9afe6f215652c1926ebefe1d8efc26c6e923d7ac9143937"
)
cache=$(advgrad_cache_dir fetch-imagenet-a-classes)
fetch_wheel_files fetch-imagenet-a-classes "$cache/imagenet-a" "${files[@]}"
