# Shared by the CLI tests of single subcommands (sourced, not run): a scratch
# folder $work (removed on exit), ok/fail counting into $failures, refusals
# and the cache directory. Needs $bin, the advgrad binary.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# expect_refused COMMAND NAME FRAGMENT ARGS...: `advgrad COMMAND ARGS...` exits
# 1 with exactly one line on stderr, containing FRAGMENT.
expect_refused() {
  local command=$1 name=$2 fragment=$3
  shift 3
  "$bin" "$command" "$@" >"$work/out" 2>"$work/err"
  local rc=$? lines
  lines=$(wc -l <"$work/err")
  if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$fragment" "$work/err"; then
    ok "$name refused: $(cat "$work/err")"
  else
    fail "$name: rc $rc, $lines lines: $(cat "$work/err")"
  fi
}

# The cache directory, by the rule of io/cache_dir.h.
advgrad_cache_dir() {
  if [ -n "${ADVGRAD_CACHE_DIR:-}" ]; then echo "$ADVGRAD_CACHE_DIR"
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then echo "$XDG_CACHE_HOME/advgrad"
  else echo "${HOME:-/nonexistent}/.cache/advgrad"
  fi
}

# skip_unless_fetched FILE...: exit 77 (ctest: skipped), saying which, when a
# file of scripts/fetch-pretrained.sh or scripts/fetch-photos.sh is missing.
skip_unless_fetched() {
  local need
  for need in "$@"; do
    if [ ! -f "$need" ]; then
      echo "SKIP: no $need (scripts/fetch-pretrained.sh and scripts/fetch-photos.sh fetch it)"
      exit 77
    fi
  done
}
