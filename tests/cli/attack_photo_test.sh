#!/usr/bin/env bash
# `advgrad attack --image`: PGD at 1/255 changes EfficientNet-Lite0's answer on
# coffee.png and chelsea.png (text and --json: eps, L-inf and the figure's
# files); a targeted attack at 4/255 reaches a class given by name; bad eps,
# an ambiguous or unknown class name, a target that is already the answer, a
# file that is no image and data-set flags with photos each give one clear
# line and exit 1. Needs scripts/fetch-pretrained.sh and scripts/fetch-photos.sh
# to have run: without them it says so and exits 77 (ctest: skipped).
# Usage: attack_photo_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: attack_photo_test.sh ADVGRAD_BINARY}
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cache=$(advgrad_cache_dir)
weights=$cache/pretrained/efficientnet-lite0.pth
coffee=$cache/photos/coffee.png
chelsea=$cache/photos/chelsea.png
skip_unless_fetched "$weights" "$coffee" "$chelsea"

if out=$("$bin" attack --image "$coffee" --image "$chelsea" --eps 1/255 --out "$work/u" 2>&1) &&
   [ "$(grep -c -- ' -> ' <<<"$out")" -eq 2 ] && ! grep -q "attack failed" <<<"$out"; then
  ok "untargeted PGD at 1/255: $(head -1 <<<"$out")"
else
  fail "untargeted PGD at 1/255: $out"
fi
for f in attack_photo.svg attack_photo.png attack_photo.json; do
  [ -s "$work/u/$f" ] && ok "wrote $f" || fail "no $f"
done
[ "$(head -c 8 "$work/u/attack_photo.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
  ok "attack_photo.png is a PNG" || fail "attack_photo.png has no PNG signature"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["model"] == "efficientnet-lite0" and abs(d["eps_255"] - 1) < 1e-9, d
imgs = d["images"]
assert len(imgs) == 2 and all(x["success"] for x in imgs), imgs
assert imgs[0]["clean"]["name"] == "espresso" and imgs[0]["clean"]["probability"] >= 0.9, imgs[0]
assert all(0 < x["linf_255"] <= 1 + 1e-4 for x in imgs), imgs
assert all(x["clean"]["index"] != x["adversarial"]["index"] for x in imgs), imgs
' "$work/u/attack_photo.json"; then
  ok "attack_photo.json: both flipped, L-inf <= 1/255"
else
  fail "attack_photo.json"
fi

if out=$("$bin" attack --image "$coffee" --eps 4/255 --targeted --target goldfish --objective minimise-target --json) &&
   python3 -c '
import json, sys
x = json.load(sys.stdin)["images"][0]
assert x["target"]["index"] == 1 and x["adversarial"]["index"] == 1 and x["success"], x
assert x["linf_255"] <= 4 + 1e-4, x
' <<<"$out"; then
  ok "targeted PGD at 4/255 reaches goldfish"
else
  fail "targeted PGD at 4/255: $out"
fi

expect_refused attack "eps 1/0" "--eps" --image "$coffee" --eps 1/0
expect_refused attack "eps 1/255x" "--eps" --image "$coffee" --eps 1/255x
expect_refused attack "an ambiguous class name" "ambiguous" --image "$coffee" --targeted --target crane
expect_refused attack "an unknown class name" "no class is named" --image "$coffee" --targeted --target "hog dog"
expect_refused attack "a target that is already the answer" "already" --image "$coffee" --targeted --target espresso
expect_refused attack "class index 1000" "outside" --image "$coffee" --targeted --target 1000
echo "not an image" >"$work/text.png"
expect_refused attack "a file that is no image" "text.png" --image "$work/text.png"
expect_refused attack "--lo with photos" "--lo is for data sets" --image "$coffee" --lo -1
expect_refused attack "--data with photos" "--data is for data sets" --image "$coffee" --data mnist
expect_refused attack "an architecture without weights" "--image" --image "$coffee" --model resnet-20
expect_refused attack "missing weights" "fetch-pretrained.sh" --image "$coffee" --weights "$work/none.pth"

[ "$failures" -eq 0 ] && echo "attack_photo_test: all passed" || echo "attack_photo_test: $failures failed"
[ "$failures" -eq 0 ]
