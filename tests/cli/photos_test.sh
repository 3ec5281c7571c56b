#!/usr/bin/env bash
# `advgrad photos`: the top-5 of the fetched photos with verdicts (kite.jpg is
# the confidently wrong one: parachute), a quick corruption run (two
# corruptions, severities 1 and 5) with its figures and CSV, and the
# ImageNet-A protocol on a labelled folder made of two photos
# (DIR/<wnid>/x.jpg) plus an unlabelled one; bad flags and folders each give
# one clear line and exit 1. Needs scripts/fetch-pretrained.sh,
# fetch-photos.sh and fetch-imagenet-a-classes.sh to have run: without them it
# says so and exits 77 (ctest counts it as skipped).
# Usage: photos_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: photos_test.sh ADVGRAD_BINARY}
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cache=$(advgrad_cache_dir)
photos=$cache/photos
skip_unless_fetched "$cache/pretrained/efficientnet-lite0.pth" "$photos/kite.jpg" "$photos/eagle.jpg" \
  "$photos/dog.jpg" "$photos/coffee.png" "$cache/imagenet-a/imagenet_a_indices.txt"

if out=$("$bin" photos 2>&1) && grep -q "kite.jpg .*CONFIDENTLY WRONG .*parachute" <<<"$out" &&
   grep -q "coffee.png .*right .*espresso" <<<"$out" && grep -q "scream.jpg .*no label" <<<"$out"; then
  ok "photos: top-5 with verdicts"
else
  fail "photos: $out"
fi

if "$bin" photos --json --corruptions gaussian_noise,jpeg_compression --severities 1,5 --seed 3 --out "$work/figs" \
     "$photos" >"$work/json" 2>"$work/err" &&
   python3 - "$work/json" "$work/figs" <<'PY'
import csv, json, os, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
assert len(d["photos"]) == 14, len(d["photos"])
assert [os.path.basename(p) for p in d["confidently_wrong"]] == ["kite.jpg"], d["confidently_wrong"]
rows = d["corruptions"]
assert [(r["corruption"], r["severity"]) for r in rows] == [
    ("clean", 0), ("gaussian_noise", 1), ("gaussian_noise", 5), ("jpeg_compression", 1), ("jpeg_compression", 5)], rows
assert rows[0]["unchanged"] == 1 and rows[0]["labelled"] == 13, rows[0]
assert all(0 <= r["unchanged"] <= 1 and 0 < r["clean_class_prob"] <= 1 for r in rows), rows
# severity 5 noise costs more of the clean class's probability than severity 1
assert rows[2]["clean_class_prob"] < rows[1]["clean_class_prob"], rows
assert rows[1]["setting"] == "0.08" and rows[4]["setting"] == "7", rows
for stem in ["photos_confidently_wrong", "photos_corruption_unchanged", "photos_corruption_confidence",
             "photos_corruption_acceptable", "photos_corruption_examples"]:
    for ext in ["svg", "png"]:
        assert os.path.getsize(os.path.join(out, stem + "." + ext)) > 1000, stem + "." + ext
table = list(csv.DictReader(open(os.path.join(out, "photos_corruptions.csv"))))
assert len(table) == 5 and float(table[3]["unchanged"]) == rows[3]["unchanged"], table
assert json.load(open(os.path.join(out, "photos.json")))["corruptions"] == rows
PY
then
  ok "photos --corruptions --out: tables, CSV and figures"
else
  fail "photos --corruptions --out: $(cat "$work/err")"
fi

# An ImageNet-A-style folder: bald eagle (n01614925) and German shepherd
# (n02106662) are among its 200 classes; coffee.png lies loose (unlabelled).
mkdir -p "$work/ina/n01614925" "$work/ina/n02106662"
cp "$photos/eagle.jpg" "$work/ina/n01614925/"
cp "$photos/dog.jpg" "$work/ina/n02106662/"
cp "$photos/coffee.png" "$work/ina/"
if "$bin" photos --json --imagenet-a "$work/ina" >"$work/json" 2>"$work/err" &&
   python3 - "$work/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["imagenet_a"]
assert d["classes"] == 200, d
assert d["folder_labelled"] == 2 and d["folder_correct"] == 2, d
# unmasked, the top-1s are kite and malamute: the mask is what makes both right
assert d["folder_correct_unmasked"] == 0, d
imgs = {i["photo"]: i for i in d["images"]}
assert imgs["eagle.jpg"]["masked_name"] == "bald eagle" and imgs["eagle.jpg"]["verdict"] == "right", imgs
assert imgs["coffee.png"]["verdict"] == "", imgs["coffee.png"]
assert all(0 < i["masked_probability"] <= 1 for i in d["images"]), d
PY
then
  ok "photos --imagenet-a on a labelled folder"
else
  fail "photos --imagenet-a on a labelled folder: $(cat "$work/err")"
fi
if out=$("$bin" photos --imagenet-a "$work/ina" 2>&1) && grep -q "folder labels: 2 images, masked accuracy 100.0%, unmasked 0.0%" <<<"$out"; then
  ok "photos --imagenet-a prints the folder's accuracy"
else
  fail "photos --imagenet-a table: $out"
fi

mkdir -p "$work/bad/cats" "$work/empty"
cp "$photos/coffee.png" "$work/bad/cats/"
expect_refused photos "a folder that is no wnid" "folder 'cats'" "$work/bad"
expect_refused photos "an empty folder" "no .jpg, .jpeg or .png" "$work/empty"
expect_refused photos "an unknown corruption" "unknown corruption 'snow'" --corruptions snow "$photos/coffee.png"
expect_refused photos "a bad severity" "--severities" --corruptions fog --severities 0 "$photos/coffee.png"
echo "coffee.png 1000" >"$work/labels.txt"
expect_refused photos "a bad labels file" "not an ImageNet class" --labels "$work/labels.txt" "$photos/coffee.png"
expect_refused photos "a missing class list" "fetch-imagenet-a-classes.sh" --imagenet-a --imagenet-a-dir "$work/empty" \
  "$photos/coffee.png"
mkdir -p "$work/swapped"
printf 'n01498041\nn01531178\n' >"$work/swapped/imagenet_a_synsets.txt"  # classes 6 and 11 of ImageNet-1k
printf '11\n6\n' >"$work/swapped/imagenet_a_indices.txt"
expect_refused photos "a class list that disagrees with ImageNet-1k" "synsets disagree" --imagenet-a \
  --imagenet-a-dir "$work/swapped" "$photos/coffee.png"

[ "$failures" -eq 0 ] && echo "photos_test: all passed" || echo "photos_test: $failures failed"
[ "$failures" -eq 0 ]
