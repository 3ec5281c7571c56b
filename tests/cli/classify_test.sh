#!/usr/bin/env bash
# `advgrad classify`: the pretrained EfficientNet-Lite0 names the espresso in
# coffee.png (text and --json), --top, --weights with a safetensors copy; a
# missing image, a file that is no image and missing weights each give one
# clear line and exit 1. Needs scripts/fetch-pretrained.sh and
# scripts/fetch-photos.sh to have run: without them it says so and exits 77
# (ctest counts it as skipped).
# Usage: classify_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: classify_test.sh ADVGRAD_BINARY}
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cache=$(advgrad_cache_dir)
weights=$cache/pretrained/efficientnet-lite0.pth
coffee=$cache/photos/coffee.png
skip_unless_fetched "$weights" "$coffee"

if out=$("$bin" classify --model efficientnet-lite0 "$coffee" 2>&1) && [[ $(sed -n 2p <<<"$out") == *espresso* ]] &&
   [ "$(wc -l <<<"$out")" -eq 6 ]; then
  ok "classify coffee.png: $(sed -n 2p <<<"$out")"
else
  fail "classify coffee.png: $out"
fi

if out=$("$bin" classify --json --top 3 "$coffee" "$cache/photos/chelsea.png") &&
   python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 2 and all(len(x["top"]) == 3 for x in d), d
assert d[0]["top"][0]["name"] == "espresso" and d[0]["top"][0]["probability"] >= 0.9, d[0]
assert 281 <= d[1]["top"][0]["index"] <= 285, d[1]
assert all(a["probability"] >= b["probability"] for x in d for a, b in zip(x["top"], x["top"][1:]))
' <<<"$out"; then
  ok "classify --json --top 3"
else
  fail "classify --json --top 3: $out"
fi

"$bin" convert "$weights" "$work/lite0.safetensors" >/dev/null
if out=$("$bin" classify --weights "$work/lite0.safetensors" --top 1 "$coffee") && [[ $out == *espresso* ]]; then
  ok "classify --weights lite0.safetensors"
else
  fail "classify --weights lite0.safetensors: $out"
fi

expect_refused classify "a missing image" "nope.png" "$work/nope.png"
echo "not an image" >"$work/text.png"
expect_refused classify "a file that is no image" "text.png" "$work/text.png"
expect_refused classify "missing weights" "fetch-pretrained.sh" "$coffee" --weights "$work/none.pth"
ADVGRAD_CACHE_DIR=$work/empty expect_refused classify "an empty cache" "fetch-pretrained.sh" "$coffee"

[ "$failures" -eq 0 ] && echo "classify_test: all passed" || echo "classify_test: $failures failed"
[ "$failures" -eq 0 ]
