#!/usr/bin/env bash
# The transfer-learning table of docs/transfer-learning.md, with the CLI:
# Fashion-MNIST with 100, 1,000 and 10,000 training images; frozen
# pretrained EfficientNet-Lite0 features (new head only), fine-tuning (all
# layers, backbone at 0.1x the rate), adversarial fine-tuning (online PGD-3)
# and small-cnn from scratch; clean, FGSM and PGD-10 accuracy (eps 0.1) on the
# first TEST (500) test images, training seconds (the whole fit, with the
# per-epoch test evaluation). Adversarial fine-tuning only up to SKIP_ADV_ABOVE (100) images. Prints CSV on stdout.
# This is the CLI path (the frozen row is `train --freeze backbone`: the head
# conv's 1280 features, a few hundred steps). The must-show comparison is
# `advgrad experiment transfer --only frozen,small-cnn` (docs/transfer-learning.md):
# Lite0 read at blocks 7, 10 and 15, cached standardised features, wd and
# mirrored copies chosen on a validation slice, 64 px, 95% intervals, and
# McNemar's paired test against small-cnn in transfer_paired.csv.
# Usage: [METHODS="frozen small-cnn"] scripts/transfer_table.sh path/to/advgrad [sizes...]   (default 100 1000 10000)
set -euo pipefail
bin=${1:?usage: transfer_table.sh ADVGRAD_BINARY [SIZES...]}
shift
sizes=${*:-100 1000 10000}
test=${TEST:-500}
size=${IMAGE_SIZE:-32}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "train_images,method,epochs,train_seconds,test_images,clean,fgsm,pgd"
for n in $sizes; do
  # Epochs so that every size gets a few hundred optimizer steps.
  case $n in 100) epochs=20 batch=20 ;; 1000) epochs=8 batch=50 ;; *) epochs=3 batch=128 ;; esac
  for method in ${METHODS:-frozen fine-tuned adv-fine-tuned small-cnn}; do
    [ "$method" = adv-fine-tuned ] && [ "${SKIP_ADV_ABOVE:-100}" -lt "$n" ] && continue
    case $method in
      frozen) args=(--model efficientnet-lite0 --pretrained --freeze backbone --lr 0.01 --image-size "$size") ; conv=(--channels 3 --image-size "$size") ;;
      fine-tuned) args=(--model efficientnet-lite0 --pretrained --freeze none --backbone-lr-scale 0.1 --lr 0.001 --image-size "$size") ; conv=(--channels 3 --image-size "$size") ;;
      adv-fine-tuned) args=(--model efficientnet-lite0 --pretrained --freeze none --backbone-lr-scale 0.1 --lr 0.001 --image-size "$size"
                            --recipe online --adv-attack pgd --adv-eps 0.1 --adv-steps 3) ; conv=(--channels 3 --image-size "$size") ;;
      small-cnn) args=(--model small-cnn --lr 0.001) ; conv=() ;;
    esac
    "$bin" train "${args[@]}" --limit "$n" --test-limit "$test" --epochs "$epochs" --batch-size "$batch" --seed 1 \
      --out "$work/m.safetensors" --json >"$work/train.json" 2>"$work/train.log"
    secs=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["seconds"], 1))' "$work/train.json")
    acc() { "$bin" attack --model "$work/m.safetensors" "${conv[@]}" --test-limit "$test" "$@" | awk '/robust accuracy/ {print $3}' | tr -d %; }
    clean=$(python3 -c 'import json,sys; print(round(100 * json.load(open(sys.argv[1]))["test_accuracy"], 2))' "$work/train.json")
    fgsm=$(acc --method fgsm --eps 0.1)
    pgd=$(acc --method pgd --eps 0.1 --steps 10)
    echo "$n,$method,$epochs,$secs,$test,$clean,$fgsm,$pgd"
  done
done
