#!/usr/bin/env bash
# `advgrad convert`: PyTorch checkpoints in both formats, written by CPython's
# pickle (tests/cli/make_checkpoint.py, no PyTorch needed), become safetensors
# with the right values; a checkpoint whose pickle would run a shell command,
# a truncated one and a missing one each give one clear line and exit 1. With
# the real weights fetched (scripts/fetch-pretrained.sh) it converts them too.
# Usage: convert_test.sh path/to/advgrad
set -uo pipefail
bin=${1:?usage: convert_test.sh ADVGRAD_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# check_safetensors FILE: the three tensors of make_checkpoint.py's state dict, read with the stdlib.
check_safetensors() {
  python3 - "$1" <<'PY'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header, body = json.loads(data[8:8 + n]), data[8 + n:]
def values(name, fmt):
    h = header[name]
    b, e = h["data_offsets"]
    return h["shape"], list(struct.unpack("<%d%s" % ((e - b) // struct.calcsize(fmt), fmt), body[b:e]))
assert values("w", "f") == ([3, 2], [0, 3, 1, 4, 2, 5]), values("w", "f")
assert values("b", "d") == ([2], [0.5, -1.5]), values("b", "d")
assert values("n", "q") == ([], [7]), values("n", "q")
assert header["w"]["dtype"] == "F32" and header["b"]["dtype"] == "F64" and header["n"]["dtype"] == "I64"
PY
}

for format in legacy zip; do
  python3 "$here/make_checkpoint.py" "$format" "$work/$format.pth"
  if out=$("$bin" convert "$work/$format.pth" "$work/$format.safetensors" 2>&1) &&
     [[ $out == *"3 tensors"* ]] && check_safetensors "$work/$format.safetensors"; then
    ok "convert $format: $out"
  else
    fail "convert $format: $out"
  fi
done

if out=$("$bin" convert --json "$work/zip.pth" "$work/j.safetensors") &&
   python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["tensors"] == 3 and d["bytes"] > 0' <<<"$out"; then
  ok "convert --json"
else
  fail "convert --json: $out"
fi

python3 "$here/make_checkpoint.py" evil "$work/evil.pth"
expect_refused convert "a pickle calling os.system" "system' is not allowed" "$work/evil.pth" "$work/evil.safetensors"
[ ! -e "$work/evil.pth.owned" ] && ok "the shell command did not run" || fail "the evil pickle ran"
[ ! -e "$work/evil.safetensors" ] && ok "no output for a refused file" || fail "wrote output for a refused file"
head -c 300 "$work/legacy.pth" >"$work/cut.pth"
expect_refused convert "a truncated checkpoint" "cut.pth" "$work/cut.pth" "$work/cut.safetensors"
expect_refused convert "a missing checkpoint" "cannot open PyTorch checkpoint" "$work/nope.pth" "$work/x.safetensors"

cache=$(advgrad_cache_dir)
real=$cache/pretrained/efficientnet-lite0.pth
if [ -f "$real" ]; then
  if out=$("$bin" convert "$real" "$work/lite0.safetensors") && [[ $out == *"296 tensors"* ]]; then
    ok "convert the real EfficientNet-Lite0: $out"
  else
    fail "convert the real EfficientNet-Lite0: $out"
  fi
else
  echo "SKIP: no $real (scripts/fetch-pretrained.sh fetches it)"
fi

[ "$failures" -eq 0 ] && echo "convert_test: all passed" || echo "convert_test: $failures failed"
[ "$failures" -eq 0 ]
