#!/usr/bin/env bash
# `advgrad experiment transfer --quick` on the built-in synthetic digits: the
# frozen (cached features), fine-tuned, adversarially fine-tuned and
# small-cnn rows at the smoke-test sizes, the CSV with 95% intervals, the JSON,
# the report section and both figures, McNemar's test between frozen and
# small-cnn (transfer_paired.csv, the JSON's "paired"); --only one method; an unknown method
# refused. Needs the EfficientNet-Lite0 weights (scripts/fetch-pretrained.sh):
# without them it says so and exits 77 (ctest: skipped). On --quick the
# networks are barely trained, so this checks the plumbing, not the numbers
# (docs/transfer-learning.md has those).
# Usage: experiment_transfer_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: experiment_transfer_test.sh ADVGRAD_BINARY}
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
skip_unless_fetched "$(advgrad_cache_dir)/pretrained/efficientnet-lite0.pth"

out="$work/transfer"
if "$bin" --threads 1 experiment transfer --quick --data synthetic --out "$out" >"$work/log" 2>&1; then
  ok "experiment transfer --quick ran"
else
  fail "experiment transfer --quick: $(tail -n 5 "$work/log")"
fi
for f in transfer.csv transfer.json transfer.md transfer.svg transfer.png transfer_pgd.svg transfer_pgd.png \
         frozen-40.safetensors frozen-100.safetensors fine-tuned-40.safetensors adv-fine-tuned-40.safetensors \
         small-cnn-40.safetensors small-cnn-100.safetensors; do
  [ -s "$out/$f" ] || fail "missing $f"
done
grep -q "features of 40 images" "$work/log" && ok "the frozen row computed its features once" ||
  fail "no feature caching in the log: $(head -n 20 "$work/log")"
python3 - "$out" <<'PY' && ok "CSV, JSON and report section hold the six rows with intervals" || fail "transfer outputs: $(cat "$out/transfer.csv")"
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/transfer.csv")))
got = [(int(r["train_images"]), r["method"]) for r in rows]
assert got == [(40, "frozen"), (40, "fine-tuned"), (40, "adv-fine-tuned"), (40, "small-cnn"),
               (100, "frozen"), (100, "small-cnn")], got
for r in rows:
    for m in ("clean", "fgsm", "pgd3"):
        lo, v, hi = float(r[m + "_lo95"]), float(r[m]), float(r[m + "_hi95"])
        assert 0 <= lo <= v <= hi <= 1 and hi - lo > 0, (r["method"], m, lo, v, hi)
    assert int(r["test_images"]) == 60 and int(r["attacked_images"]) == 20, r
    assert float(r["train_seconds"]) > 0, r
j = json.load(open(out + "/transfer.json"))
assert j["image_size"] == 32 and j["validation_images"] == 40, j
frozen = [r for r in j["rows"] if r["method"] == "frozen"][0]["row"]
assert frozen["extra"]["head_epochs"] == 20 and frozen["extra"]["feature_seconds"] > 0, frozen
assert "head_weight_decay" in frozen["extra"] and "mirrored_copies" in frozen["extra"], frozen
md = open(out + "/transfer.md").read()
assert md.count("\n| ") >= 7 and "frozen Lite0" in md and "McNemar exact p" in md, md
# McNemar between frozen and small-cnn at both sizes, on the same 60 test images:
# the counts add up to 60 and give back each row's clean accuracy.
clean = {(int(r["train_images"]), r["method"]): float(r["clean"]) for r in rows}
paired = list(csv.DictReader(open(out + "/transfer_paired.csv")))
assert [int(p["train_images"]) for p in paired] == [40, 100], paired
for p in paired:
    n = int(p["train_images"])
    c = {k: int(p[k]) for k in ("both_right", "only_frozen", "only_small_cnn", "both_wrong")}
    assert sum(c.values()) == 60, p
    assert abs((c["both_right"] + c["only_frozen"]) / 60 - clean[(n, "frozen")]) < 1e-6, (p, clean)
    assert abs((c["both_right"] + c["only_small_cnn"]) / 60 - clean[(n, "small-cnn")]) < 1e-6, (p, clean)
    assert 0 < float(p["mcnemar_p"]) <= 1, p
assert len(j["paired"]) == 2 and j["paired"][0]["first"] == "frozen", j["paired"]
PY
# The frozen row's model file is the whole network (backbone + head): it
# evaluates like any other model, on the images at its input size.
# Its accuracy there is the row's clean accuracy (the same 60 test images).
if "$bin" eval --model "$out/frozen-100.safetensors" --data synthetic --channels 3 --image-size 32 --test-limit 60 \
     --json >"$work/eval" 2>&1 &&
   python3 - "$out" "$work/eval" <<'PY'; then
import csv, json, sys
row = [r for r in csv.DictReader(open(sys.argv[1] + "/transfer.csv")) if r["method"] == "frozen" and r["train_images"] == "100"][0]
acc = json.load(open(sys.argv[2]))["accuracy"]
assert abs(acc - float(row["clean"])) < 1e-5, (acc, row["clean"])
PY
  ok "frozen-100.safetensors evaluates as a whole network, to the row's clean accuracy"
else
  fail "eval of the frozen model: $(tail -n 3 "$work/eval")"
fi

if "$bin" --threads 1 experiment transfer --quick --data synthetic --only small-cnn --out "$work/one" >"$work/log1" 2>&1 &&
   [ "$(tail -n +2 "$work/one/transfer.csv" | wc -l)" -eq 2 ]; then
  ok "--only small-cnn runs its two sizes"
else
  fail "--only small-cnn: $(tail -n 3 "$work/log1")"
fi
"$bin" experiment transfer --quick --data synthetic --only resnet --out "$work/bad" >/dev/null 2>"$work/err"
if [ $? -eq 1 ] && grep -q "no row 'resnet'" "$work/err"; then ok "unknown method refused"; else fail "unknown method: $(cat "$work/err")"; fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
