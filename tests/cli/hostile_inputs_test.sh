#!/usr/bin/env bash
# The command line under hostile input (issue 17): bad flags, files that are
# not what they claim (devices, FIFOs, directories, gzip, zip, pickles, sparse
# giants, corrupt metadata), outputs that must not be replaced (devices, FIFOs,
# directories), symlinks, stale temporaries of killed runs, and a full disk.
# Every case: the documented exit code (1 for usage and runtime errors), one
# line on stderr naming the problem, no hang (each run has 20 s), no output
# file clobbered. Prints the table of input classes, cases and outcomes.
# Usage: hostile_inputs_test.sh path/to/advgrad
set -uo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"
export ADVGRAD_NUM_THREADS=2

declare -A cases passed
classes=()
# check CLASS NAME RC FRAGMENT ARGS...: `advgrad ARGS...` exits RC within 20 s;
# for RC 1, stderr is exactly one line containing FRAGMENT.
check() {
  local class=$1 name=$2 want=$3 fragment=$4
  shift 4
  [ -n "${cases[$class]+x}" ] || { classes+=("$class"); cases[$class]=0; passed[$class]=0; }
  cases[$class]=$((cases[$class] + 1))
  timeout 20 "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
  local rc=$? lines
  lines=$(wc -l <"$work/err")
  if [ "$rc" -eq 124 ]; then
    fail "[$class] $name: HANG (killed after 20 s)"
  elif [ "$rc" -ne "$want" ]; then
    fail "[$class] $name: exit $rc (expected $want): $(head -c 300 "$work/err")"
  elif [ "$want" -eq 1 ] && { [ "$lines" -ne 1 ] || ! grep -q -- "$fragment" "$work/err"; }; then
    fail "[$class] $name: $lines lines, expected one with '$fragment': $(head -c 300 "$work/err")"
  else
    passed[$class]=$((passed[$class] + 1))
    ok "[$class] $name -> $rc${fragment:+: $(head -n 1 "$work/err")}"
  fi
}
# still_a KIND PATH NAME: PATH is still that kind of file (test -c/-p/-d/-L ...).
still_a() {
  if test "$1" "$2"; then ok "$3: $2 untouched"; else fail "$3: $2 was replaced"; fi
}

# A small trained model to corrupt, and the fast training flags.
tiny=(--data synthetic --limit 64 --test-limit 32 --model mlp --epochs 1 --batch-size 32)
"$bin" train "${tiny[@]}" --seed 3 --out "$work/m.safetensors" >/dev/null 2>&1 || { echo "FAIL: cannot train the tiny model"; exit 1; }
m=(--data synthetic --test-limit 32)

# ---- usage errors: one line naming the flag, exit 1 -------------------------
u() { check "usage: $1" "$2" 1 "$3" "${@:4}"; }
u range "epochs 0" --epochs train --epochs 0
u range "epochs -1" --epochs train --epochs -1
u range "epochs too many" --epochs train --epochs 100001
u range "batch size 0" --batch-size train --batch-size 0
u range "negative lr" --lr train --lr -1
u range "negative weight decay" --weight-decay train --weight-decay -0.5
u range "adv-weight 2" --adv-weight train --adv-weight 2
u range "adv-steps 0" --adv-steps train --adv-steps 0
u range "threads 0" --threads --threads 0 demo
u range "threads 5000" --threads --threads 5000 demo
u range "test-limit 0" --test-limit eval --model x --test-limit 0
u range "limit -5" --limit eval --model x --limit -5
u range "grid rows 0" --grid-rows attack --model x --grid-rows 0
u range "attack batch 0" --batch-size attack --model x --batch-size 0
u type "epochs abc" --epochs train --epochs abc
u type "epochs 1.5" --epochs train --epochs 1.5
u type "seed abc" --seed train --seed abc
u type "seed 1x" --seed train --seed 1x
u type "lr abc" --lr train --lr abc
u type "test-limit x" --test-limit eval --model x --test-limit x
u type "restarts x" --restarts attack --model x --restarts x
u type "robustness seed" --seed robustness --model x --seed zz
u type "threads two" --threads --threads two demo
u choice "model" --model train --model nope
u choice "activation" --activation train --activation nope
u choice "optimizer" --optimizer train --optimizer nope
u choice "schedule" --schedule train --schedule nope
u choice "recipe" --recipe train --recipe nope
u choice "data" --data train --data nope
u choice "method" --method attack --model x --method nope
u choice "loss" --loss attack --model x --loss nope
u missing "epochs" --epochs train --epochs
u missing "out" --out train --out
u missing "model value" --model eval --model
u missing "eps" --eps attack --model x --eps
u missing "threads" --threads --threads
u missing "device" --device --device
u missing "required model" --model eval
u unknown "train --foo" --foo train --foo
u unknown "eval --bar" --bar eval --model x --bar
u unknown "attack -z" -z attack --model x -z
u unknown "global --nope" --nope --nope demo
u unknown "robustness --quiet" --quiet robustness --model x --quiet
u unknown "extra argument" extra demo extra
u exclusive "quick and full" "--quick excludes --full" workshop --quick --full
# Seeds are unsigned: CLI11 would wrap -1 to 2^64-1 without a word.
for seeded in train "eval --model x" "attack --model x" "robustness --model x" "saliency --model x" demo workshop \
  experiment photos; do
  u range "$seeded --seed -1" --seed $seeded --seed -1
done
u range "saliency class -1" --class saliency --model x --class -1
u exclusive "target without targeted" "--target requires --targeted" attack --model x --target 3
u exclusive "objective without targeted" "--objective requires --targeted" attack --model x --objective minimise-target
u exclusive "suite and method" "--method excludes --suite" robustness --model x --suite autoattack --method pgd
u range "resume-force alone" "--resume-force needs --resume" train "${tiny[@]}" --resume-force --out "$work/unused"
u command "frobnicate" "unknown command 'frobnicate'" frobnicate
u command "Train" "unknown command 'Train'" Train
u command "none" "no command given" --threads 2

# ---- model files that are not model files: exit 1, one line ----------------
r() { check "model file: $1" "$2" 1 "$3" eval --model "${@:4}" "${m[@]}"; }
mkdir "$work/dir"
mkfifo "$work/fifo"
: >"$work/empty"
gzip -c "$work/m.safetensors" >"$work/m.gz"
python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1], 'w').writestr('archive/data.pkl', b'x')" "$work/m.zip"
printf '\x80\x02}q\x00.' >"$work/pickle"
truncate -s 3G "$work/sparse"
head -c 100 "$work/m.safetensors" >"$work/truncated"
printf 'not a model at all' >"$work/text"
# The tiny model with its metadata rewritten: a height of 2^49, an unknown architecture.
rewrite() {
  python3 - "$work/m.safetensors" "$2" "$1" <<'PY'
import json, struct, sys
src, out, change = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
b = open(src, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
cfg = json.loads(h["__metadata__"]["advgrad.model"])
cfg.update(change)
h["__metadata__"]["advgrad.model"] = json.dumps(cfg)
j = json.dumps(h).encode()
j += b" " * ((8 - len(j) % 8) % 8)
open(out, "wb").write(struct.pack("<Q", len(j)) + j + b[8 + n:])
PY
}
rewrite '{"height": 562949953421312}' "$work/huge_height"
rewrite '{"arch": "transformer-xxl"}' "$work/bad_arch"
rewrite '{"classes": -3}' "$work/bad_classes"
r device "/dev/zero" "character device" /dev/zero
r device "/dev/urandom" "character device" /dev/urandom
r device "/dev/null" "character device" /dev/null
r kind "directory" "is a directory" "$work/dir"
r kind "FIFO" "FIFO" "$work/fifo"
r kind "missing" "No such file" "$work/nope.safetensors"
r kind "empty" "empty" "$work/empty"
r format "gzip" "gzip-compressed" "$work/m.gz"
r format "zip" "zip archive" "$work/m.zip"
r format "pickle" "Python pickle" "$work/pickle"
r format "text" "safetensors" "$work/text"
r format "truncated" "runs past the end" "$work/truncated"
start=$SECONDS
r size "3 GB sparse file" "not a safetensors file" "$work/sparse"
[ $((SECONDS - start)) -le 5 ] && ok "3 GB sparse file refused in $((SECONDS - start)) s" ||
  fail "3 GB sparse file took $((SECONDS - start)) s"
r metadata "height 2^49" "says the input is 1x562949953421312x28" "$work/huge_height"
r metadata "unknown arch" "transformer-xxl" "$work/bad_arch"
r metadata "-3 classes" "classes" "$work/bad_classes"
rm -f "$work/sparse"

# ---- outputs that must not be replaced -----------------------------------------
t() { check "train --out: $1" "$2" "$3" "$4" train "${tiny[@]}" --out "${@:5}"; }
mkfifo "$work/out_fifo"
mkdir "$work/out_dir"
t refused "/dev/full" 1 "character device" /dev/full
still_a -c /dev/full "/dev/full"
t refused "/dev/null" 1 "character device" /dev/null
still_a -c /dev/null "/dev/null"
t refused "FIFO" 1 "FIFO" "$work/out_fifo"
still_a -p "$work/out_fifo" "FIFO"
t refused "directory" 1 "directory" "$work/out_dir"
still_a -d "$work/out_dir" "directory"
ln -s /dev/full "$work/link_to_full"
t refused "symlink to /dev/full" 1 "character device" "$work/link_to_full"
still_a -c /dev/full "symlink to /dev/full"
# A symlink to a regular file is written through: the link stays, its target is the new model.
cp "$work/m.safetensors" "$work/target.safetensors"
: >"$work/target.safetensors"
ln -s target.safetensors "$work/link.safetensors"
t "written through" "symlink to a file" 0 "" "$work/link.safetensors"
still_a -L "$work/link.safetensors" "symlink"
[ -s "$work/target.safetensors" ] && ok "symlink target holds the new model" || fail "symlink target not written"
ln -s "$work/new_target.safetensors" "$work/dangling"
t "written through" "dangling symlink" 0 "" "$work/dangling"
[ -L "$work/dangling" ] && [ -s "$work/new_target.safetensors" ] && ok "dangling symlink: its target created" ||
  fail "dangling symlink: target not created"
for place in /proc/x /sys/x "$work/m.safetensors"; do
  check "attack/robustness --out" "attack --out $place" 1 "cannot use --out" attack --model "$work/m.safetensors" "${m[@]}" --eps 0.1 --out "$place"
  check "attack/robustness --out" "robustness --out $place" 1 "cannot use --out" robustness --model "$work/m.safetensors" "${m[@]}" --out "$place"
done

# ---- stale temporaries of killed runs ----------------------------------------
sleep 0 &
dead=$!
wait "$dead"
mkdir "$work/stale"
for f in model.safetensors.tmp-$dead ckpt.safetensors.tmp-$dead model.safetensors.tmp-$$; do
  head -c 1000000 /dev/urandom >"$work/stale/$f"
done
check "stale temporaries" "train into a folder with stale files" 0 "" train "${tiny[@]}" --out "$work/stale/model.safetensors"
left=$(ls "$work/stale" | sort | tr '\n' ' ')
if [ "$left" = "model.safetensors model.safetensors.tmp-$$ " ]; then
  ok "dead pid $dead's temporaries removed, live pid $$'s kept"
else
  fail "stale temporaries: left $left"
fi

# ---- a full disk during a save: clear error, the old file intact ----------------
cp "$work/m.safetensors" "$work/old.safetensors"
cp "$work/old.safetensors" "$work/before"
# ulimit -f counts 1024-byte blocks in bash; the model is about 800 kB.
(ulimit -f 100 && exec timeout 60 "$bin" train "${tiny[@]}" --seed 9 --out "$work/old.safetensors") \
  >/dev/null 2>"$work/err"
rc=$?
[ -n "${cases["full disk"]+x}" ] || { classes+=("full disk"); cases["full disk"]=0; passed["full disk"]=0; }
cases["full disk"]=$((cases["full disk"] + 1))
if [ "$rc" -eq 1 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q "File too large" "$work/err" &&
  cmp -s "$work/before" "$work/old.safetensors" && [ -z "$(ls "$work" | grep '\.tmp-')" ]; then
  passed["full disk"]=$((passed["full disk"] + 1))
  ok "[full disk] ulimit -f: $(cat "$work/err"); old file intact, no temporary left"
else
  fail "[full disk] ulimit -f: rc $rc: $(cat "$work/err"); $(cmp "$work/before" "$work/old.safetensors")"
fi

# The same on a real full disk: a 1.2 MB tmpfs holding one 0.9 MB model (needs
# root and mount; skipped, visibly, elsewhere).
mkdir "$work/tmpfs"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1200k tmpfs "$work/tmpfs" 2>/dev/null; then
  trap 'umount "$work/tmpfs" 2>/dev/null; rm -rf "$work"' EXIT
  "$bin" train "${tiny[@]}" --seed 4 --out "$work/tmpfs/m.safetensors" >/dev/null 2>&1
  cp "$work/tmpfs/m.safetensors" "$work/before_tmpfs"
  check "full disk" "tmpfs full during the save" 1 "No space left on device" train "${tiny[@]}" --seed 5 --out "$work/tmpfs/m.safetensors"
  cmp -s "$work/before_tmpfs" "$work/tmpfs/m.safetensors" && [ "$(ls "$work/tmpfs")" = "m.safetensors" ] &&
    ok "tmpfs: old model intact, no temporary left" || fail "tmpfs: old model changed or temporary left: $(ls "$work/tmpfs")"
  umount "$work/tmpfs"
else
  echo "skip: tmpfs full-disk case (needs root and mount)"
fi

# ---- silent wrong answers (issue 17 item 3) -----------------------------------
# Divergence: an error naming the epoch and step, no model written.
check "diverged" "train --lr 1e30" 1 "training diverged at epoch 1, step" train "${tiny[@]}" --lr 1e30 --out "$work/nan.safetensors"
[ ! -e "$work/nan.safetensors" ] && ok "diverged: no model written" || fail "diverged: a model was written"
# A model holding a NaN weight (the first float32 tensor's first value patched, as an older advgrad could save it).
python3 - "$work/m.safetensors" "$work/nan_weight.safetensors" <<'PY'
import json, struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
name = sorted(k for k in h if k != "__metadata__" and h[k]["dtype"] == "F32")[0]
at = 8 + n + h[name]["data_offsets"][0]
b[at:at + 4] = struct.pack("<f", float("nan"))
open(sys.argv[2], "wb").write(b)
PY
check "non-finite model" "eval" 1 "holds non-finite weights, first '" eval --model "$work/nan_weight.safetensors" "${m[@]}"
check "non-finite model" "attack" 1 "holds non-finite weights" attack --model "$work/nan_weight.safetensors" "${m[@]}" --eps 0.1
check "non-finite model" "robustness" 1 "holds non-finite weights" robustness --model "$work/nan_weight.safetensors" "${m[@]}"
# --resume with changed flags: refused by name unless --resume-force; a longer run (constant schedule) is fine.
base=(--data synthetic --test-limit 32 --model mlp --batch-size 32)
ck=(--checkpoint "$work/ck.safetensors" --out "$work/resumed.safetensors")
"$bin" train "${base[@]}" --limit 64 --epochs 1 --lr 0.05 "${ck[@]}" >/dev/null 2>&1 || fail "resume: the first run failed"
cp "$work/ck.safetensors" "$work/ck_before"
check "resume" "changed --lr" 1 "--lr is 0.01 but the checkpoint was trained with 0.05" train "${base[@]}" --limit 64 --epochs 1 --lr 0.01 "${ck[@]}" --resume
check "resume" "changed --limit" 1 "--limit is 48 but the checkpoint was trained with 64" train "${base[@]}" --limit 48 --epochs 1 --lr 0.05 "${ck[@]}" --resume
check "resume" "changed --seed and --activation" 1 "--seed is 7 but" train "${base[@]}" --limit 64 --epochs 1 --lr 0.05 --seed 7 --activation tanh "${ck[@]}" --resume
cmp -s "$work/ck_before" "$work/ck.safetensors" && ok "resume: refused runs left the checkpoint alone" || fail "resume: checkpoint changed"
check "resume" "--epochs 2 (train longer)" 0 "" train "${base[@]}" --limit 64 --epochs 2 --lr 0.05 "${ck[@]}" --resume
check "resume" "--resume-force" 0 "" train "${base[@]}" --limit 64 --epochs 3 --lr 0.01 "${ck[@]}" --resume --resume-force
grep -q -- "--lr changed from 0.05 to 0.01 (--resume-force)" "$work/out" && ok "resume-force: the change is noted" ||
  fail "resume-force: no note in $(cat "$work/out")"
# A model evaluated on another data set than its own: a warning, not an error.
if [ -d /usr/share/datasets/fashion-mnist ]; then
  check "other data set" "eval on fashion-mnist" 0 "" eval --model "$work/m.safetensors" --data fashion-mnist --test-limit 20
  grep -q "warning: the model was trained on synthetic, this is fashion-mnist" "$work/err" && [ "$(wc -l <"$work/err")" -eq 1 ] &&
    ok "other data set: one warning line: $(cat "$work/err")" || fail "other data set: stderr $(cat "$work/err")"
else
  echo "skip: other data set case (no /usr/share/datasets/fashion-mnist)"
fi
check "other data set" "eval on its own" 0 "" eval --model "$work/m.safetensors" "${m[@]}"
[ ! -s "$work/err" ] && ok "own data set: no warning" || fail "own data set: stderr $(cat "$work/err")"
# Outputs refused before any training: nothing on stdout (the first log line comes after the data is loaded).
long=(--data synthetic --limit 64 --test-limit 32 --model mlp --epochs 100000)
check "refused before training" "--out /dev/full" 1 "cannot use --out '/dev/full': it is a character device" train "${long[@]}" --out /dev/full
[ ! -s "$work/out" ] && ok "--out /dev/full: refused before training" || fail "--out /dev/full: trained first: $(head -c 200 "$work/out")"
check "refused before training" "--out in a missing folder" 1 "cannot create a file in" train "${long[@]}" --out "$work/no/such/m.safetensors"
check "refused before training" "--checkpoint /dev/full" 1 "cannot use --checkpoint '/dev/full'" train "${long[@]}" --checkpoint /dev/full --out "$work/x.safetensors"
[ ! -s "$work/out" ] && ok "--checkpoint /dev/full: refused before training" || fail "--checkpoint /dev/full: trained first"

# ---- the table -------------------------------------------------------------
echo
printf '%-40s %6s %6s\n' "input class" cases passed
total=0 good=0
for c in "${classes[@]}"; do
  printf '%-40s %6d %6d\n' "$c" "${cases[$c]}" "${passed[$c]}"
  total=$((total + cases[$c]))
  good=$((good + passed[$c]))
done
printf '%-40s %6d %6d\n' "all" "$total" "$good"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all hostile-input checks passed"
