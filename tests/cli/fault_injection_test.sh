#!/usr/bin/env bash
# Fault injection: SIGKILL at a random moment of `train`, `convert` and
# `workshop`, TRIALS times each (docs/testing.md "Fault injection").
#
# Odd trials kill at a uniformly random moment of an uninterrupted run's length;
# even ones wait a random time, then kill the moment a write is in flight (a
# *.tmp-PID file exists). After every kill, each output is absent, the old complete file or the new
# complete file (never a torn one), and the next run into the same place
# removes the dead process's *.tmp-PID files. For `train` the rerun uses
# --resume (when the checkpoint got written) and must end bit-identical to an
# uninterrupted run; for `workshop`, --resume must finish the report.
#
# Usage: fault_injection_test.sh path/to/advgrad [TRIALS] [SEED]
#   TRIALS (default 20) per command; SEED (default 1) picks the kill moments.
#   ADVGRAD_FAULT_COMMANDS="train convert workshop" picks the commands.
# Prints one line per trial and a table of counts; exits 1 on any failure.
set -uo pipefail
bin=${1:?usage: fault_injection_test.sh ADVGRAD_BINARY [TRIALS] [SEED]}
trials=${2:-20}
RANDOM=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
commands=(${ADVGRAD_FAULT_COMMANDS:-train convert workshop})

# complete PATH...: every file named is a whole file of its kind (python, stdlib
# only): PNG chunks with good CRCs up to IEND, JSON that parses, safetensors
# whose header parses and whose length is the header's, HTML that closes, CSV
# and Markdown that end in a newline. Prints what is torn.
complete() {
  python3 - "$@" <<'PY'
import json, struct, sys, zlib
bad = []
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    why = None
    if path.endswith(".png"):
        pos = 8
        why = "no PNG signature" if data[:8] != b"\x89PNG\r\n\x1a\n" else "no IEND"
        while pos + 12 <= len(data):
            n, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 4:pos + 8 + n]
            if pos + 12 + n > len(data) or zlib.crc32(body) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
                why = "torn chunk"
                break
            pos += 12 + n
            if kind == b"IEND":
                why = None if pos == len(data) else "bytes after IEND"
                break
    elif path.endswith(".json"):
        try:
            json.loads(data)
        except ValueError as e:
            why = "JSON: %s" % e
    elif path.endswith(".safetensors"):
        try:
            n = struct.unpack("<Q", data[:8])[0]
            header = json.loads(data[8:8 + n])
            end = max([t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"] + [0])
            if 8 + n + end != len(data):
                why = "length %d, header says %d" % (len(data), 8 + n + end)
        except (ValueError, struct.error, KeyError) as e:
            why = "safetensors: %s" % e
    elif path.endswith(".html"):
        why = None if data.rstrip().endswith(b"</html>") else "HTML does not close"
    elif path.endswith(".svg"):
        why = None if data.rstrip().endswith(b"</svg>") else "SVG does not close"
    elif path.endswith((".csv", ".md", ".txt")):
        why = None if data.endswith(b"\n") else "no final newline"
    if why:
        bad.append("%s (%s)" % (path, why))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}

# stale_temporaries DIR: the *.tmp-PID files under DIR (io/atomic_file.h's names).
stale_temporaries() { find "$1" -name '*.tmp-*' 2>/dev/null | sort; }

# kill_after SECONDS COMMAND...: runs COMMAND, SIGKILLs it after SECONDS if it
# still runs; returns 0 when it was killed, 1 when it finished first.
kill_after() {
  local delay=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
  fi
  wait "$pid" 2>/dev/null
  return 1
}

# kill_while_writing DIR SECONDS COMMAND...: runs COMMAND; after SECONDS,
# SIGKILLs it the moment a *.tmp-* file shows under DIR (a write in flight).
# Returns 0 when it was killed, 1 when it finished first.
kill_while_writing() {
  local dir=$1 delay=$2
  shift 2
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  while kill -0 "$pid" 2>/dev/null; do
    if [ -n "$(find "$dir" -name '*.tmp-*' -print -quit 2>/dev/null)" ]; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      return 0
    fi
  done
  wait "$pid" 2>/dev/null
  return 1
}

# kill_trial I DIR DELAY COMMAND...: odd trials kill at DELAY, even ones at the
# first write in flight after DELAY (a random moment rarely lands in a write).
kill_trial() {
  local i=$1 dir=$2 delay=$3
  shift 3
  if ((i % 2)); then kill_after "$delay" "$@"; else kill_while_writing "$dir" "$delay" "$@"; fi
}

# random_delay MAX_SECONDS: a uniform moment in [0, MAX_SECONDS), as a decimal.
random_delay() { awk -v r=$((RANDOM * 32768 + RANDOM)) -v m="$1" 'BEGIN { printf "%.3f", r / 1073741824 * m }'; }

# elapsed COMMAND...: runs it, prints its wall time in seconds.
elapsed() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || return 1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

declare -A killed finished torn
# record COMMAND WAS_KILLED PROBLEM: one trial's outcome.
record() {
  local cmd=$1 was_killed=$2 problem=$3
  if [ "$was_killed" = 1 ]; then killed[$cmd]=$((${killed[$cmd]:-0} + 1)); else finished[$cmd]=$((${finished[$cmd]:-0} + 1)); fi
  if [ -n "$problem" ]; then
    torn[$cmd]=$((${torn[$cmd]:-0} + 1))
    fail "$cmd trial: $problem"
  fi
}

train_trials() {
  local d=$work/train ref=$work/train-ref
  mkdir -p "$d" "$ref"
  local common=(train --model small-cnn --data synthetic --limit 600 --test-limit 200 --epochs 3 --batch-size 32)
  local args=("${common[@]}" --seed 11)
  # The reference: uninterrupted. The old file: a different seed's model.
  local full
  full=$(elapsed "$bin" "${args[@]}" --out "$ref/model.safetensors" --checkpoint "$ref/ck") || { fail "train: the reference run failed"; return; }
  "$bin" "${common[@]}" --seed 12 --out "$ref/old.safetensors" >/dev/null 2>&1 || { fail "train: the old model failed"; return; }
  echo "train: an uninterrupted run takes ${full} s"
  local i
  for ((i = 1; i <= trials; ++i)); do
    rm -rf "$d" && mkdir -p "$d"
    cp "$ref/old.safetensors" "$d/model.safetensors"
    local delay was_killed=0 problem=""
    delay=$(random_delay "$full")
    kill_trial "$i" "$d" "$delay" "$bin" "${args[@]}" --out "$d/model.safetensors" --checkpoint "$d/ck" && was_killed=1
    # Absent (it was there: not allowed to vanish), the old file or the new one.
    if cmp -s "$d/model.safetensors" "$ref/old.safetensors"; then :
    elif cmp -s "$d/model.safetensors" "$ref/model.safetensors"; then :
    else problem="model.safetensors is neither the old nor the new file after a kill at ${delay} s"
    fi
    local stale
    stale=$(stale_temporaries "$d" | wc -l)
    # The rerun: --resume when the checkpoint made it to disk, else from the start.
    local resume=()
    [ -f "$d/ck" ] && resume=(--resume)
    if ! "$bin" "${args[@]}" --out "$d/model.safetensors" --checkpoint "$d/ck" "${resume[@]}" >"$work/log" 2>&1; then
      problem+="${problem:+; }the rerun ${resume[*]} failed: $(tail -1 "$work/log")"
    elif ! cmp -s "$d/model.safetensors" "$ref/model.safetensors"; then
      problem+="${problem:+; }the rerun ${resume[*]} is not bit-identical to the uninterrupted run"
    fi
    [ -z "$(stale_temporaries "$d")" ] || problem+="${problem:+; }temporaries left after the rerun: $(stale_temporaries "$d" | tr '\n' ' ')"
    echo "train trial $i: kill at ${delay} s, $([ $was_killed = 1 ] && echo killed || echo finished first), $stale temporaries left by the kill, rerun ${resume[*]:-from scratch}: ${problem:-ok}"
    record train "$was_killed" "$problem"
  done
}

convert_trials() {
  local d=$work/convert ref=$work/convert-ref input
  input="$(advgrad_cache_dir)/pretrained/efficientnet-lite0.pth"
  mkdir -p "$d" "$ref"
  if [ ! -f "$input" ]; then  # no fetched weights: a state dict made with CPython's pickle
    python3 "$here/make_checkpoint.py" "$ref/in.pth" >/dev/null
    input=$ref/in.pth
  fi
  local full
  full=$(elapsed "$bin" convert "$input" "$ref/new.safetensors") || { fail "convert: the reference run failed"; return; }
  printf 'an older file that a conversion replaces\n' >"$ref/old.safetensors"
  echo "convert: $(basename "$input"), an uninterrupted run takes ${full} s"
  local i
  for ((i = 1; i <= trials; ++i)); do
    rm -rf "$d" && mkdir -p "$d"
    local target=$d/out.safetensors
    # Trials 4k+1 and 4k+2 replace an old file, the others write where nothing was.
    (((i - 1) % 4 < 2)) && cp "$ref/old.safetensors" "$target"
    local delay was_killed=0 problem=""
    delay=$(random_delay "$full")
    kill_trial "$i" "$d" "$delay" "$bin" convert "$input" "$target" && was_killed=1
    if [ ! -e "$target" ]; then (((i - 1) % 4 < 2)) && problem="the old file vanished"
    elif cmp -s "$target" "$ref/old.safetensors" || cmp -s "$target" "$ref/new.safetensors"; then :
    else problem="out.safetensors is torn after a kill at ${delay} s"
    fi
    local stale
    stale=$(stale_temporaries "$d" | wc -l)
    if ! "$bin" convert "$input" "$target" >"$work/log" 2>&1; then
      problem+="${problem:+; }the rerun failed: $(tail -1 "$work/log")"
    elif ! cmp -s "$target" "$ref/new.safetensors"; then
      problem+="${problem:+; }the rerun differs from the uninterrupted one"
    fi
    [ -z "$(stale_temporaries "$d")" ] || problem+="${problem:+; }temporaries left after the rerun"
    echo "convert trial $i: kill at ${delay} s, $([ $was_killed = 1 ] && echo killed || echo finished first), $stale temporaries left by the kill: ${problem:-ok}"
    record convert "$was_killed" "$problem"
  done
}

workshop_trials() {
  local d=$work/workshop ref=$work/workshop-ref
  local args=(workshop --quick --data synthetic --seed 3)
  local full
  full=$(elapsed "$bin" "${args[@]}" --out "$ref") || { fail "workshop: the reference run failed"; return; }
  echo "workshop: an uninterrupted --quick run takes ${full} s, $(find "$ref" -type f | wc -l) files"
  local i
  for ((i = 1; i <= trials; ++i)); do
    # Every trial starts from a complete earlier run: each file killed mid-rewrite
    # must be the old one or the new one.
    rm -rf "$d" && cp -r "$ref" "$d"
    local delay was_killed=0 problem="" files
    delay=$(random_delay "$full")
    kill_trial "$i" "$d" "$delay" "$bin" "${args[@]}" --out "$d" && was_killed=1
    mapfile -t files < <(find "$d" -type f ! -name '*.tmp-*')
    local verdict
    verdict=$(complete "${files[@]}") || problem="torn after a kill at ${delay} s: $verdict"
    local stale
    stale=$(stale_temporaries "$d" | wc -l)
    if ! "$bin" "${args[@]}" --out "$d" --resume >"$work/log" 2>&1; then
      problem+="${problem:+; }--resume failed: $(tail -1 "$work/log")"
    else
      mapfile -t files < <(find "$d" -type f ! -name '*.tmp-*')
      verdict=$(complete "${files[@]}") || problem+="${problem:+; }torn after --resume: $verdict"
      [ -f "$d/report.html" ] || problem+="${problem:+; }no report.html after --resume"
      [ "$(find "$d" -type f | wc -l)" -eq "$(find "$ref" -type f | wc -l)" ] ||
        problem+="${problem:+; }$(find "$d" -type f | wc -l) files after --resume, $(find "$ref" -type f | wc -l) in an uninterrupted run"
    fi
    [ -z "$(stale_temporaries "$d")" ] || problem+="${problem:+; }temporaries left after --resume: $(stale_temporaries "$d" | tr '\n' ' ')"
    echo "workshop trial $i: kill at ${delay} s, $([ $was_killed = 1 ] && echo killed || echo finished first), $stale temporaries left by the kill: ${problem:-ok}"
    record workshop "$was_killed" "$problem"
  done
}

for c in "${commands[@]}"; do
  case $c in
    train) train_trials ;;
    convert) convert_trials ;;
    workshop) workshop_trials ;;
    *) fail "unknown command '$c' in ADVGRAD_FAULT_COMMANDS" ;;
  esac
done

echo
printf '| command | trials | killed | finished before the kill | torn or wrong |\n|---|---|---|---|---|\n'
for c in "${commands[@]}"; do
  printf '| %s | %d | %d | %d | %d |\n' "$c" "$trials" "${killed[$c]:-0}" "${finished[$c]:-0}" "${torn[$c]:-0}"
done
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "all trials ok"
