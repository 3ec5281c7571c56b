#!/usr/bin/env bash
# advgrad train on an image folder, and transfer learning from the pretrained
# EfficientNet-Lite0 (--pretrained --freeze ...): the model file evaluates and
# is attackable with the same --channels/--image-size. The pretrained part is
# skipped, visibly, when scripts/fetch-pretrained.sh has not run.
set -uo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"

# A small image folder: 3 classes of 12 PNGs, each class a different brightness.
python3 - "$work/folder" <<'PY'
import os, struct, sys, zlib, random
root = sys.argv[1]
def png(path, w, h, rgb):
    raw = b"".join(b"\x00" + bytes(v for _ in range(w) for v in rgb) for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)
rng = random.Random(5)
for k, name in enumerate(["dark", "mid", "light"]):
    os.makedirs(os.path.join(root, name))
    for i in range(12):
        v = 30 + 90 * k + rng.randrange(20)
        png(os.path.join(root, name, "%02d.png" % i), 9 + rng.randrange(9), 9 + rng.randrange(9), (v, v, v))
PY

if "$bin" train --model small-cnn --data image-folder --data-dir "$work/folder" --image-size 16 --channels 1 \
     --epochs 8 --lr 0.01 --out "$work/folder.safetensors" >"$work/log" 2>&1 &&
   out=$("$bin" eval --model "$work/folder.safetensors" --data image-folder --data-dir "$work/folder" \
     --image-size 16 --channels 1) && [[ $out == *"accuracy"* ]]; then
  ok "train and eval on an image folder: $(head -1 <<<"$out")"
else
  fail "image folder: $(cat "$work/log") ${out:-}"
fi
expect_refused train "image-folder without --data-dir" "needs --data-dir" --data image-folder
mkdir -p "$work/folder/empty"
expect_refused train "an empty class" "has no .jpg" --data image-folder --data-dir "$work/folder"
expect_refused train "--freeze without --pretrained" "--freeze needs --pretrained" --data synthetic --freeze backbone
expect_refused train "--pretrained on small-cnn" "needs --model efficientnet-lite0" --data synthetic --pretrained
expect_refused train "a bad --freeze" "needs a block count 0..16" --data synthetic --model efficientnet-lite0 --pretrained \
  --freeze blocks:99

if [ "$failures" -ne 0 ]; then echo "transfer_test: $failures failed"; exit 1; fi
skip_unless_fetched "$(advgrad_cache_dir)/pretrained/efficientnet-lite0.pth"

for freeze in backbone blocks:1; do
  if "$bin" train --model efficientnet-lite0 --pretrained --freeze "$freeze" --backbone-lr-scale 0.1 --data synthetic \
       --limit 64 --test-limit 32 --image-size 32 --epochs 1 --batch-size 32 --out "$work/lite0.safetensors" \
       >"$work/log" 2>&1 &&
     out=$("$bin" eval --model "$work/lite0.safetensors" --data synthetic --test-limit 32 --channels 3 \
       --image-size 32) && [[ $out == *"accuracy"* ]] &&
     "$bin" attack --model "$work/lite0.safetensors" --data synthetic --test-limit 16 --channels 3 --image-size 32 \
       --method fgsm --eps 0.03 >"$work/attack" 2>&1 && grep -q "robust accuracy" "$work/attack"; then
    ok "--pretrained --freeze $freeze: trained, evaluated, attacked"
  else
    fail "--pretrained --freeze $freeze: $(cat "$work/log") ${out:-} $(cat "$work/attack" 2>/dev/null)"
  fi
done
expect_refused eval "a transfer model on 28x28 grey data" "--channels and --image-size" \
  --model "$work/lite0.safetensors" --data synthetic --test-limit 8

[ "$failures" -eq 0 ] && echo "transfer_test: all passed" || echo "transfer_test: $failures failed"
[ "$failures" -eq 0 ]
