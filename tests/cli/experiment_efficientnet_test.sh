#!/usr/bin/env bash
# `advgrad experiment efficientnet --quick`: the five rows (small-cnn and
# efficientnet-b0-small plain, AdvProp, noised and Noisy Student) and, when the
# pretrained weights are fetched, the fine-tuned Lite0 (else a note that it was
# left out), trained on the smoke-test budget, the table with 95% intervals, the CSV, JSON and figures;
# --only one row; an unknown row refused. On --quick the networks are barely
# trained, so this checks the plumbing, not the numbers
# (docs/efficientnet-variants.md has those).
# Usage: experiment_efficientnet_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: experiment_efficientnet_test.sh ADVGRAD_BINARY}
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

out="$work/eff"
if "$bin" --threads 1 experiment efficientnet --quick --out "$out" >"$work/log" 2>&1; then
  ok "experiment efficientnet --quick ran"
else
  fail "experiment efficientnet --quick: $(tail -n 5 "$work/log")"
fi
for f in efficientnet.csv efficientnet.json efficientnet.md efficientnet.svg efficientnet.png efficientnet_eps.svg \
         b0-small.safetensors b0-small-advprop.safetensors b0-small-noised.safetensors b0-small-noisy-student.safetensors small-cnn.safetensors; do
  [ -s "$out/$f" ] || fail "missing $f"
done
lite0=0
if [ -f "$(advgrad_cache_dir)/pretrained/efficientnet-lite0.pth" ]; then
  lite0=1
  [ -s "$out/lite0-fine-tuned.safetensors" ] || fail "missing lite0-fine-tuned.safetensors"
elif grep -q "lite0-fine-tuned left out: no pretrained weights" "$work/log"; then
  ok "without the pretrained weights the Lite0 row is left out with a note"
else
  fail "no pretrained weights, and no note: $(tail -n 5 "$work/log")"
fi
python3 - "$out" "$lite0" <<'PY' && ok "CSV, JSON and table hold the rows with intervals" || fail "efficientnet outputs: $(cat "$out/efficientnet.csv")"
import csv, json, sys
out, lite0 = sys.argv[1], sys.argv[2] == "1"
rows = list(csv.DictReader(open(out + "/efficientnet.csv")))
assert [r["name"] for r in rows] == ["small-cnn", "b0-small", "b0-small-advprop", "b0-small-noised",
                                    "b0-small-noisy-student"] + (["lite0-fine-tuned"] if lite0 else []), rows
for r in rows:
    for m in ("clean", "fgsm", "pgd5", "corruption"):
        lo, v, hi = float(r[m + "_lo95"]), float(r[m]), float(r[m + "_hi95"])
        assert 0 <= lo <= hi <= 1 and hi - lo > 0, (r["name"], m, lo, v, hi)
    assert int(r["parameters"]) > 0
assert float(rows[4]["teacher_seconds"]) == float(rows[1]["train_seconds"]), "the teacher is the plain row's model"
j = json.load(open(out + "/efficientnet.json"))
extra = {r["name"]: r["extra"] for r in j["rows"]}
assert extra["b0-small-noisy-student"]["unlabelled"] == 150, extra
assert "pseudo_label_accuracy" in extra["b0-small-noisy-student"]
assert extra["b0-small-advprop"]["parameters"] > extra["b0-small"]["parameters"], "auxiliary BNs add parameters"
assert len(extra["b0-small"]["corruptions"]) == 5
if lite0:
    e = extra["lite0-fine-tuned"]
    assert len(e["corruptions"]) == 5 and e["image_size"] == 32 and e["freeze"] == "none", e
    assert e["parameters"] > 3_000_000, "the whole pretrained Lite0 with its new head"
md = open(out + "/efficientnet.md").read()
assert md.count("\n| ") >= 6 + lite0 and "corruptions" in md, md
PY
if grep -q '"dual_batch_norm":true' <(head -c 4096 "$out/b0-small-advprop.safetensors" | tr -d '\\'); then
  ok "the AdvProp model file records its dual BatchNorm"
else
  fail "b0-small-advprop.safetensors does not record dual_batch_norm"
fi

if "$bin" --threads 1 experiment efficientnet --quick --only b0-small --out "$work/one" >"$work/log1" 2>&1 &&
   [ "$(tail -n +2 "$work/one/efficientnet.csv" | wc -l)" -eq 1 ]; then
  ok "--only b0-small runs one row"
else
  fail "--only b0-small: $(tail -n 3 "$work/log1")"
fi
"$bin" experiment efficientnet --quick --only b7 --out "$work/bad" >/dev/null 2>"$work/err"
if [ $? -eq 1 ] && grep -q "no row 'b7'" "$work/err"; then ok "unknown row refused"; else fail "unknown row: $(cat "$work/err")"; fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
