#!/usr/bin/env bash
# End-to-end test of the advgrad command line on the built-in synthetic digits:
# train -> eval (accuracy well above chance) -> attack / robustness / saliency
# (files written, attack lowers accuracy) -> bad flags and files (one clear
# line, non-zero exit, no crash). Usage: cli_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: cli_test.sh ADVGRAD_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; passed=$((passed + 1)); }
# json_number FILE KEY: the first numeric value of "KEY": in FILE.
json_number() { sed -n "s/.*\"$2\": \(-\?[0-9.eE+-]*\).*/\1/p" "$1" | head -n 1; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

data=(--data synthetic --limit 1500 --test-limit 300)
if "$bin" --threads 2 train "${data[@]}" --model small-cnn --epochs 2 --batch-size 64 --seed 1 \
     --out "$work/m.safetensors" --json >"$work/train.json" 2>"$work/train.log"; then
  ok "train"
else
  fail "train exited non-zero: $(tail -n 3 "$work/train.log")"
fi

"$bin" eval --model "$work/m.safetensors" "${data[@]}" --json >"$work/eval.json" || fail "eval exited non-zero"
acc=$(json_number "$work/eval.json" accuracy)
if [ -n "$acc" ] && ge "$acc" 0.6; then ok "eval accuracy $acc (chance 0.1)"; else fail "eval accuracy '$acc' < 0.6"; fi

"$bin" attack --model "$work/m.safetensors" "${data[@]}" --method pgd --eps 0.3 --steps 10 --out "$work/attack" \
  --json >"$work/attack.json" || fail "attack exited non-zero"
robust=$(json_number "$work/attack.json" robust_accuracy)
clean=$(json_number "$work/attack.json" clean_accuracy)
if [ -n "$robust" ] && [ -n "$clean" ] && ge "$clean" "$robust" && ! ge "$robust" "$clean"; then
  ok "PGD lowers accuracy: $clean -> $robust"
else
  fail "PGD did not lower accuracy: clean '$clean', robust '$robust'"
fi
for f in attack/attack_grid.png attack/attack_grid.svg attack/attack.json; do
  [ -s "$work/$f" ] && ok "wrote $f" || fail "missing $f"
done
[ "$(head -c 8 "$work/attack/attack_grid.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
  ok "attack_grid.png is a PNG" || fail "attack_grid.png has no PNG signature"

"$bin" attack --model "$work/m.safetensors" "${data[@]}" --method fgsm --eps 0.2 --targeted --target 3 \
  --json >"$work/targeted.json" || fail "targeted attack exited non-zero"
[ -n "$(json_number "$work/targeted.json" success_rate)" ] && ok "targeted attack reports success" ||
  fail "targeted attack: no success_rate"

# AutoAttack (APGD-CE -> APGD-T -> FAB-T -> Square) is never weaker than PGD, at an eps
# where PGD leaves some accuracy standing.
"$bin" attack --model "$work/m.safetensors" "${data[@]}" --method pgd --eps 0.04 --steps 10 --random-start \
  --json >"$work/pgd04.json" || fail "pgd at eps 0.04 exited non-zero"
"$bin" attack --model "$work/m.safetensors" "${data[@]}" --method autoattack --eps 0.04 --steps 10 --queries 50 \
  --target-classes 3 --json >"$work/autoattack.json" || fail "autoattack exited non-zero"
pgd04=$(json_number "$work/pgd04.json" robust_accuracy)
aa=$(json_number "$work/autoattack.json" robust_accuracy)
if [ -n "$aa" ] && [ -n "$pgd04" ] && ge "$pgd04" "$aa" && ge "$pgd04" 0.05; then
  ok "AutoAttack accuracy $aa <= PGD-10's $pgd04 at eps 0.04"
else
  fail "AutoAttack accuracy '$aa' vs PGD-10's '$pgd04' at eps 0.04 (PGD must leave >= 5% and AutoAttack no more)"
fi

# FAB-T: a minimal-norm attack counted within eps; never above the clean accuracy.
"$bin" attack --model "$work/m.safetensors" "${data[@]}" --method fab-t --eps 0.04 --steps 10 --target-classes 3 \
  --json >"$work/fab.json" || fail "fab-t exited non-zero"
fab_acc=$(json_number "$work/fab.json" robust_accuracy)
fab_clean=$(json_number "$work/fab.json" clean_accuracy)
if [ -n "$fab_acc" ] && ge "$fab_clean" "$fab_acc"; then
  ok "FAB-T accuracy $fab_acc <= clean $fab_clean at eps 0.04"
else
  fail "FAB-T accuracy '$fab_acc' vs clean '$fab_clean'"
fi

# DeepFool: the median L2 norm of its minimal perturbations, and the accuracy
# at a radius (never above the clean accuracy).
"$bin" attack --model "$work/m.safetensors" "${data[@]}" --method deepfool --steps 20 --eps 1 \
  --json >"$work/deepfool.json" || fail "deepfool exited non-zero"
df_median=$(json_number "$work/deepfool.json" median_norm)
df_acc=$(json_number "$work/deepfool.json" accuracy_at_eps)
df_clean=$(json_number "$work/deepfool.json" clean_accuracy)
if [ -n "$df_median" ] && ge "$df_median" 1e-6 && [ -n "$df_acc" ] && ge "$df_clean" "$df_acc"; then
  ok "DeepFool median L2 $df_median, accuracy at L2 1: $df_acc"
else
  fail "DeepFool median '$df_median', accuracy at eps '$df_acc', clean '$df_clean'"
fi

# ADVGRAD_PROGRESS=1: the progress bar's updates, one line each, on stderr.
ADVGRAD_PROGRESS=1 "$bin" robustness --model "$work/m.safetensors" "${data[@]}" --method fgsm --eps-sweep 0:0.2:0.1 \
  --out "$work/rob" >"$work/rob.txt" 2>"$work/rob.err" || fail "robustness exited non-zero"
grep -q "robustness m eps 0.2 \[.*\] 0/[0-9]* done, fgsm on [0-9]* examples" "$work/rob.err" &&
  ok "progress: $(tail -1 "$work/rob.err")" || fail "no progress lines: $(head -3 "$work/rob.err")"
for f in robustness.csv robustness.json robustness.png robustness.svg; do
  [ -s "$work/rob/$f" ] && ok "wrote rob/$f" || fail "missing rob/$f"
done
[ "$(wc -l <"$work/rob/robustness.csv")" -eq 4 ] && ok "robustness.csv has 3 eps rows" ||
  fail "robustness.csv: $(cat "$work/rob/robustness.csv")"

"$bin" saliency --model "$work/m.safetensors" "${data[@]}" --index 0 --index 5 --method all --samples 4 --probe \
  --out "$work/sal.png" >"$work/sal.txt" || fail "saliency exited non-zero"
[ -s "$work/sal.png" ] && [ -s "$work/sal.svg" ] && ok "wrote sal.png and sal.svg" || fail "missing sal.png or sal.svg"
python3 -c 'import sys, xml.etree.ElementTree as ET
for p in sys.argv[1:]: ET.parse(p)' "$work/attack/attack_grid.svg" "$work/rob/robustness.svg" "$work/sal.svg" &&
  ok "the SVG figures parse as XML" || fail "an SVG figure does not parse as XML"
grep -q "finite diff" "$work/sal.txt" && awk '/finite diff$/ {on=1; next} on && NF == 4 { r = ($3 - $4) / ($4 == 0 ? 1 : $4); if (r < 0) r = -r; if (r > 1e-4 && ($3 - $4 > 1e-9 || $4 - $3 > 1e-9)) bad = 1; n++ } END { exit bad || n == 0 }' "$work/sal.txt" && ok "saliency --probe: autograd f64 matches the finite difference" ||
  fail "saliency --probe output: $(cat "$work/sal.txt")"

# Bad input: a clear one-line message on stderr, a non-zero exit (not a crash: 1 or 2, never >= 128).
expect_error() {
  local what=$1 pattern=$2
  shift 2
  "$bin" "$@" >"$work/out.txt" 2>"$work/err.txt"
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -qi -- "$pattern" "$work/err.txt"; then
    ok "$what -> exit $rc: $(head -n 1 "$work/err.txt")"
  else
    fail "$what: exit $rc, stderr: $(head -c 300 "$work/err.txt")"
  fi
}
m=(--model "$work/m.safetensors" "${data[@]}")
expect_error "negative eps" "eps" attack "${m[@]}" --eps -0.1
expect_error "zero steps" "steps" attack "${m[@]}" --steps 0
expect_error "lo >= hi" "lo < hi" attack "${m[@]}" --lo 1 --hi 0
expect_error "target out of range" "not a class" attack "${m[@]}" --targeted --target 12
expect_error "bad target" "target" attack "${m[@]}" --targeted --target seven
expect_error "fgsm with steps" "one step" attack "${m[@]}" --method fgsm --steps 5
expect_error "missing model" "nope.safetensors" attack --model "$work/nope.safetensors" "${data[@]}"
expect_error "unknown method" "method" attack "${m[@]}" --method carlini
expect_error "targeted apgd-t" "untargeted" attack "${m[@]}" --method apgd-t --targeted
expect_error "targeted fab-t" "untargeted" attack "${m[@]}" --method fab-t --targeted
expect_error "bad sweep" "eps sweep" robustness "${m[@]}" --eps-sweep 0.3:0:0.1 --out "$work/rob2"
expect_error "index out of range" "out of range" saliency "${m[@]}" --index 100000
expect_error "missing data dir" "fashion" eval --model "$work/m.safetensors" --data fashion-mnist --data-dir "$work/none"
printf 'not a model' >"$work/bad.safetensors"
expect_error "corrupt model file" "bad.safetensors" eval --model "$work/bad.safetensors"
expect_error "unknown flag" "--frobnicate" train --frobnicate
expect_error "unparsable device" "cannot parse" --device gpu eval "${m[@]}"
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi >/dev/null 2>&1; then
  expect_error "cuda without a GPU" "no CUDA" --device cuda eval "${m[@]}"
fi

# Adversarial-training recipes: a short run of each, the recipe in the model
# file, and one-line errors for flags that do not fit the recipe.
small=(--data synthetic --limit 200 --test-limit 60 --epochs 1 --batch-size 32 --seed 2)
for r in "online --model mlp --adv-attack fgsm-rs --guard --guard-size 30" "nsl --model mlp --nsl-neighbor-loss kl" \
         "advprop --model cnn-bn --adv-attack pgd --adv-steps 2"; do
  read -r -a rflags <<<"--recipe $r"
  if "$bin" --threads 2 train "${small[@]}" "${rflags[@]}" --out "$work/r.safetensors" \
       >"$work/r.log" 2>&1 && grep -aq "advgrad.recipe" "$work/r.safetensors" \
       && grep -aq "${r%% *}" "$work/r.safetensors"; then
    ok "train --recipe $r"
  else
    fail "train --recipe $r: $(tail -n 2 "$work/r.log")"
  fi
done
expect_error "adv flag on standard" "--adv-steps needs --recipe online" train "${small[@]}" --adv-steps 3
expect_error "steps with fgsm" "is for --adv-attack pgd" train "${small[@]}" --recipe online --adv-attack fgsm --adv-steps 3
expect_error "nsl flag on online" "--nsl-step needs --recipe nsl" train "${small[@]}" --recipe online --nsl-step 0.1
expect_error "weight without weighted" "--adv-weight needs --adv-mix weighted" train "${small[@]}" --recipe online --adv-weight 0.3
expect_error "advprop without BN" "advprop needs a model with BatchNorm" train "${small[@]}" --recipe advprop --model mlp
expect_error "rollback without guard" "need --guard" train "${small[@]}" --guard-rollback

# experiment --only: rows trained by separate runs into one directory, then a
# run without --only reuses them and trains only the rest.
exp=(--threads 1 experiment --quick activations --out "$work/exp")
if "$bin" "${exp[@]}" --only elu,gelu >"$work/exp1.log" 2>&1 &&
   [ "$(cut -d, -f1 "$work/exp/activations.csv" | tail -n +2 | tr '\n' ' ')" = "gelu elu " ] &&
   [ ! -e "$work/exp/stages/pgd-at-silu.json" ] &&
   [ -z "$(head -n 1 "$work/exp/activations.csv" | tr , '\n' | sort | uniq -d)" ]; then
  ok "experiment --only elu,gelu trains those two, in the table's order (CSV columns named once each)"
else
  fail "experiment --only elu,gelu: $(tail -n 3 "$work/exp1.log"; cat "$work/exp/activations.csv")"
fi
if "$bin" "${exp[@]}" --resume >"$work/exp2.log" 2>&1 &&
   grep -q "\[pgd-at-gelu\] skipped (done)" "$work/exp2.log" && grep -q "\[pgd-at-elu\] skipped (done)" "$work/exp2.log" &&
   grep -q "\[pgd-at-silu\] done" "$work/exp2.log" && [ "$(wc -l <"$work/exp/activations.csv")" -eq 6 ]; then
  ok "experiment --resume without --only reuses those rows and trains the other three"
else
  fail "experiment --resume after --only: $(cat "$work/exp2.log")"
fi
expect_error "unknown experiment row" "no row 'tanh'" experiment --quick activations --only tanh --out "$work/exp3"
expect_error "--only on nsl" "no rows to choose" experiment --quick nsl --only baseline --out "$work/exp4"

echo "cli: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
