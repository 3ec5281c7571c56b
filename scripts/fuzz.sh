#!/usr/bin/env bash
# Runs the libFuzzer harnesses of fuzz/ (docs/testing.md "Fuzzing").
#
#   scripts/fuzz.sh smoke [SECONDS]     every harness for SECONDS (default 15) each, one
#                                       after another: CI's bounded stage
#   scripts/fuzz.sh campaign [RUNS] [JOBS]
#                                       every harness until RUNS executions (default
#                                       10000000), JOBS harnesses at a time (default 1)
#   scripts/fuzz.sh HARNESS [libFuzzer flags...]   one harness, by hand
#
# ADVGRAD_FUZZ_HARNESSES="a b" picks harnesses; ADVGRAD_FUZZ_NO_BUILD=1 skips the build.
#
# Builds the `fuzz` preset first (clang, -fsanitize=fuzzer,address,undefined).
# Seeds come from fuzz/corpus/<harness>/ (read only); what the fuzzer learns
# goes to build/fuzz/work/<harness>/, crashes to build/fuzz/crashes/<harness>/.
# Each run's figures (executions, coverage, crashes) are one line of
# build/fuzz/figures.tsv. Exits non-zero when any harness found a crash, a
# leak, a timeout or an out-of-memory.
set -euo pipefail
cd "$(dirname "$0")/.."
harnesses=(${ADVGRAD_FUZZ_HARNESSES:-safetensors model_config pytorch_checkpoint idx cifar png jpeg cli})
mode=${1:-smoke}

command -v clang++ >/dev/null || { echo "scripts/fuzz.sh: needs clang (scripts/install-deps.sh --fuzz)" >&2; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ -z "${ADVGRAD_FUZZ_NO_BUILD:-}" ]; then  # set it to run harnesses already built
  cmake --preset fuzz "${launcher[@]}" >/dev/null
  cmake --build --preset fuzz -j "${ADVGRAD_FUZZ_BUILD_JOBS:-$(nproc)}" >/dev/null
fi

out=build/fuzz
mkdir -p "$out"
[ -f "$out/figures.tsv" ] || printf 'date\tharness\tflags\texecs\tseconds\texecs_per_s\tcov\tft\tcorpus\tresult\n' >"$out/figures.tsv"

# run_one HARNESS FLAGS...: one libFuzzer run; its figures appended to figures.tsv.
run_one() {
  local h=$1
  shift
  local work="$out/work/$h" crashes="$out/crashes/$h" log="$out/logs/$h.log"
  mkdir -p "$work" "$crashes" "$out/logs"
  local start=$SECONDS rc=0
  # -close_fd_mask=3: the CLI harness prints usage errors and help; keep the log to libFuzzer's lines.
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$out/fuzz/fuzz_$h" "$work" "fuzz/corpus/$h" -artifact_prefix="$crashes/" -close_fd_mask=3 \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "$@" >"$log" 2>&1 || rc=$?
  local execs cov ft corp
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  local secs=$((SECONDS - start)) result=ok
  # 72: libFuzzer's exit code when stopped by Ctrl-C (SIGINT): no finding.
  if [ "$rc" -eq 72 ]; then result="interrupted" rc=0
  elif [ "$rc" -ne 0 ]; then result="FOUND (rc $rc; $log, $crashes)"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$h" "$*" "${execs:-?}" "$secs" \
    "$(( ${execs:-0} / (secs > 0 ? secs : 1) ))" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result" >>"$out/figures.tsv"
  printf '%-20s %10s execs %5ss  cov %-6s ft %-6s %s\n' "$h" "${execs:-?}" "$secs" "${cov:-?}" "${ft:-?}" "$result"
  return "$rc"
}

failed=0
case "$mode" in
  smoke)
    seconds=${2:-15}
    for h in "${harnesses[@]}"; do run_one "$h" -max_total_time="$seconds" || failed=1; done
    ;;
  campaign)
    runs=${2:-10000000} jobs=${3:-1}
    rm -f "$out/campaign-failed"
    for h in "${harnesses[@]}"; do
      { run_one "$h" -runs="$runs" || touch "$out/campaign-failed"; } &
      while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 5; done
    done
    wait
    [ -e "$out/campaign-failed" ] && failed=1
    ;;
  *)
    [[ " ${harnesses[*]} " == *" $mode "* ]] || { echo "scripts/fuzz.sh: unknown mode or harness '$mode'" >&2; exit 1; }
    shift
    run_one "$mode" "$@" || failed=1
    ;;
esac
[ "$failed" -eq 0 ] || { echo "fuzzing found a problem: see build/fuzz/crashes/ and build/fuzz/logs/" >&2; exit 1; }
