#!/usr/bin/env bash
# The workshop on its smoke-test budget. Usage: workshop_test.sh all|resume path/to/advgrad
#   all:    `advgrad workshop --quick --out DIR` writes every artefact (each
#           figure as .svg and .png), every .svg parses as XML, and report.html
#           validates (tests/cli/check_report.py: tags balance, figures are
#           inline SVG with unique ids, TOC links resolve, one comparison row
#           per recipe, report.md's images exist).
#   resume: run, delete one late stage's outputs, rerun with --resume: the
#           earlier stages are skipped ("skipped (done)"), the deleted stage
#           runs again, and the report is complete. Then lose an early
#           stage's output (the training stages are still reused) and resume
#           with another seed (nothing is reused).
set -uo pipefail
mode=${1:?usage: workshop_test.sh all|resume ADVGRAD_BINARY}
bin=${2:?usage: workshop_test.sh all|resume ADVGRAD_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"  # $work, fail, advgrad_cache_dir

# The recipes of the final table, in order.
recipes=(none static-fgsm online-fgsm fgsm-rs pgd-at nsl advprop)
optimizers=(sgd sgd-momentum nesterov adam rmsprop adagrad)
# Each figure is written twice: <stem>.svg (inlined in report.html) and <stem>.png (linked by report.md).
figures=(attack_fgsm attack_pgd attack_targeted eps_sweep fgsm_tutorial confusion_clean confusion_pgd
         baseline_accuracy baseline_loss make_everything targeted_by_class saliency robust_view
         online-fgsm_accuracy fgsm-rs_accuracy pgd-at_accuracy recipe_curves
         optimizers nsl comparison activations corruptions natural_adversarials)
files=(report.html report.md results.json baseline.safetensors eps_sweep.csv
       optimizers.csv optimizers.json nsl.csv nsl.json comparison.csv comparison.json)
for f in "${figures[@]}"; do files+=("$f.svg" "$f.png"); done
for o in "${optimizers[@]}"; do [ "$o" = adam ] || files+=("optimizer-$o.safetensors"); done  # adam: the baseline
for s in static-fgsm online-fgsm fgsm-rs nsl baseline-bn advprop pgd-at-relu pgd-at-gelu pgd-at-silu pgd-at-softplus pgd-at-elu; do
  files+=("$s.safetensors")
done
files+=(activations.csv activations.json corruptions.csv)

# 31 stages, and part 15's seven when the pretrained weights and the photos
# are fetched (photos, corruptions, and the transfer table's frozen and
# small-cnn rows at 40 and 100 images and its summary; without the files that
# part writes a note and runs nothing).
cache=$(advgrad_cache_dir)
stage_count=31
[ -f "$cache/pretrained/efficientnet-lite0.pth" ] && [ -n "$(ls "$cache/photos" 2>/dev/null)" ] && stage_count=38

check_outputs() {  # DIR
  local f
  for f in "${files[@]}"; do [ -s "$1/$f" ] || fail "missing $f"; done
  for f in "$1"/*.png; do
    [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$f is not a PNG"
  done
  python3 -c 'import sys, xml.etree.ElementTree as ET
for p in sys.argv[1:]: ET.parse(p)' "$1"/*.svg || fail "an .svg does not parse as XML"
  [ "$(ls "$1"/stages/*.json | wc -l)" -eq "$stage_count" ] ||
    fail "stage records (want $stage_count): $(ls "$1/stages" | tr "\n" " ")"
  ls "$1" | grep -q '\.tmp' && fail "temporary files left: $(ls "$1")"
  python3 "$here/check_report.py" "$1/report.html" "${recipes[@]}" || fail "report.html does not validate"
  grep -q '"comparison"' "$1/results.json" || fail "results.json has no comparison"
  grep -q '](attack_pgd.png)' "$1/report.md" || fail "report.md does not link attack_pgd.png"
}

out=$work/ws
if "$bin" --threads 2 workshop --quick --out "$out" >"$work/run1.log" 2>&1; then ok "workshop --quick"
else fail "workshop --quick exited non-zero: $(tail -n 5 "$work/run1.log")"; fi
check_outputs "$out"

if [ "$mode" = resume ]; then
  # Lose the last stage's outputs, as if the run had stopped there.
  rm -f "$out/comparison.png" "$out/report.html"
  if "$bin" --threads 2 workshop --quick --out "$out" --resume >"$work/run2.log" 2>&1; then ok "workshop --resume"
  else fail "workshop --resume exited non-zero: $(tail -n 5 "$work/run2.log")"; fi
  for s in baseline attacks saliency static-fgsm pgd-at-relu nsl nsl-protocol baseline-bn advprop pgd-at-elu activations optimizer-sgd optimizers; do
    grep -q "^\[$s\] skipped (done)" "$work/run2.log" && ok "$s skipped" || fail "$s not skipped: $(cat "$work/run2.log")"
  done
  grep -q "^\[comparison\] running" "$work/run2.log" && ok "comparison ran again" || fail "comparison did not run again"
  check_outputs "$out"

  # Lose an early evaluation stage's output: it and the default stages after
  # it run again, but the training stages, which read only the data and the
  # budget (or the baseline, which is intact), are reused.
  rm -f "$out/attack_fgsm.png"
  if "$bin" --threads 2 workshop --quick --out "$out" --resume >"$work/run3.log" 2>&1; then ok "workshop --resume (attacks lost)"
  else fail "workshop --resume exited non-zero: $(tail -n 5 "$work/run3.log")"; fi
  for s in attacks saliency nsl-protocol natural-robustness comparison; do
    grep -q "^\[$s\] running" "$work/run3.log" && ok "$s ran again" || fail "$s did not run again: $(cat "$work/run3.log")"
  done
  for s in baseline static-fgsm online-fgsm pgd-at-relu nsl baseline-bn advprop pgd-at-elu optimizer-sgd; do
    grep -q "^\[$s\] skipped (done)" "$work/run3.log" && ok "$s reused" || fail "$s not reused: $(cat "$work/run3.log")"
  done
  check_outputs "$out"

  # Another seed is another run: no record is reused.
  if "$bin" --threads 2 workshop --quick --seed 1 --out "$out" --resume >"$work/run4.log" 2>&1; then ok "workshop --resume --seed 1"
  else fail "workshop --resume --seed 1 exited non-zero: $(tail -n 5 "$work/run4.log")"; fi
  grep -q "skipped (done)" "$work/run4.log" && fail "a stage of seed 0 was reused for seed 1: $(cat "$work/run4.log")" || ok "nothing reused across seeds"
  grep -q "^\[baseline\] recorded with another budget or data set" "$work/run4.log" && ok "the stale record is named" ||
    fail "no stale-record line: $(head -n 5 "$work/run4.log")"
  check_outputs "$out"
fi
[ $failures -eq 0 ] && echo "workshop test ($mode): all passed" || echo "workshop test ($mode): $failures failure(s)"
exit $((failures > 0))
