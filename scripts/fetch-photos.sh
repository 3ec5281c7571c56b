#!/usr/bin/env bash
# Fetches the photos that tests and examples use (docs/images.md) from the
# Debian packages that ship them, unpacked with `apt-get download` + `dpkg -x`
# into a temporary directory -- nothing is installed -- and copies only the
# photos into <cache>/photos/, where <cache> is $ADVGRAD_CACHE_DIR, else
# $XDG_CACHE_HOME/advgrad, else $HOME/.cache/advgrad (io/cache_dir.h; empty
# counts as unset).
#
#   python3-skimage         scikit-image's sample data (skimage/data/)
#   python-matplotlib-data  matplotlib's sample data (grace_hopper.jpg)
#   darknet                 darknet's example pictures (data/)
#
# All three are in Debian 12 (bookworm). Each photo is checked against the
# sha256 recorded below (from bookworm's python3-skimage 0.19.3-8,
# python-matplotlib-data 3.6.3-1 and darknet 0.0.0+git20180914.61c9d02e-2);
# a photo that does not match is not copied. Idempotent: a photo already
# there with the right sha256 is left alone, and a package none of whose
# photos is missing is not downloaded. Each copy is atomic (a temporary file
# beside it, then rename). Needs apt's package lists (apt-get update) to
# download; exits 1 if any photo could not be fetched, after fetching the rest.
set -euo pipefail

if [ -n "${ADVGRAD_CACHE_DIR:-}" ]; then cache=$ADVGRAD_CACHE_DIR
elif [ -n "${XDG_CACHE_HOME:-}" ]; then cache=$XDG_CACHE_HOME/advgrad
elif [ -n "${HOME:-}" ]; then cache=$HOME/.cache/advgrad
else echo "fetch-photos: none of ADVGRAD_CACHE_DIR, XDG_CACHE_HOME or HOME is set" >&2; exit 1
fi
dest=$cache/photos

skimage=usr/lib/python3/dist-packages/skimage/data
darknet=usr/share/darknet/data
# package  path in the package  sha256
photos=(
  "python3-skimage $skimage/astronaut.png 88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
  "python3-skimage $skimage/chelsea.png 596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"
  "python3-skimage $skimage/coffee.png cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"
  "python3-skimage $skimage/horse.png c7fb60789fe394c485f842291ea3b21e50d140f39d6dcb5fb9917cc178225455"
  "python3-skimage $skimage/motorcycle_left.png db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179"
  "python3-skimage $skimage/rocket.jpg c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"
  "python-matplotlib-data usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"
  "darknet $darknet/dog.jpg 5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866"
  "darknet $darknet/eagle.jpg f95f57297fd51a6c5ddceb5ed6916fa759d1d65f402fee34c05b31a9608755c0"
  "darknet $darknet/giraffe.jpg 00dc48a9b2af8a1fe4c4b79319726591f1033c7e1150f21e7577a79f3b6659f1"
  "darknet $darknet/horses.jpg c8f0a677a1356569e2ce71d2fa88c1030c0ae57ecf5e14170e02d9a86a20dcb4"
  "darknet $darknet/kite.jpg 87410f52f79cc256c3949b48a3548632c07c8e9943468ef8caa6250f6643be8e"
  "darknet $darknet/person.jpg cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1"
  "darknet $darknet/scream.jpg dcab7bae866fbb396e01ab27a9c8d2d40b3e80911dafb05a5fa18d1bac6b8d17"
)

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
have() { [ -f "$dest/$1" ] && [ "$(sha_of "$dest/$1")" = "$2" ]; }

# The packages that still owe a photo, in order, each once.
needed=()
for entry in "${photos[@]}"; do
  read -r pkg path sha <<<"$entry"
  have "$(basename "$path")" "$sha" && continue
  [[ " ${needed[*]} " == *" $pkg "* ]] || needed+=("$pkg")
done
if [ ${#needed[@]} -eq 0 ]; then
  echo "fetch-photos: all ${#photos[@]} photos are in $dest"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
# As root, apt's download sandbox user (_apt) cannot write to our private temp directory.
apt_opts=()
[ "$(id -u)" -eq 0 ] && apt_opts=(-o APT::Sandbox::User=root)
failed=0
for pkg in "${needed[@]}"; do
  echo "fetch-photos: downloading $pkg"
  if ! (cd "$work" && apt-get download -qq "${apt_opts[@]}" "$pkg") || ! dpkg -x "$work/$pkg"_*.deb "$work/root"; then
    echo "fetch-photos: could not download or unpack $pkg (not in this Debian's package lists?)" >&2
    failed=1
  fi
done

for entry in "${photos[@]}"; do
  read -r pkg path sha <<<"$entry"
  name=$(basename "$path")
  have "$name" "$sha" && continue
  src=$work/root/$path
  if [ ! -f "$src" ]; then
    echo "fetch-photos: $name is not in $pkg" >&2; failed=1; continue
  fi
  if [ "$(sha_of "$src")" != "$sha" ]; then
    echo "fetch-photos: $name from $pkg has sha256 $(sha_of "$src"), expected $sha; not copied" >&2; failed=1; continue
  fi
  cp "$src" "$dest/.$name.tmp-$$" && mv -f "$dest/.$name.tmp-$$" "$dest/$name"
  echo "fetch-photos: $dest/$name"
done
exit "$failed"
