#!/usr/bin/env bash
# The report as a reader's browser shows it: runs `advgrad workshop --quick`
# and renders its report.html in headless Chromium (render_report.py: every
# inline SVG figure in Chromium's DOM, a non-blank screenshot). Exits 77 (a
# visible skip) when Chromium is not installed.
# Usage: render_test.sh path/to/advgrad [SCREENSHOT_DIR]
set -uo pipefail
bin=${1:?usage: render_test.sh ADVGRAD_BINARY [SCREENSHOT_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || {
  echo "SKIPPED: no chromium installed (Debian: apt-get install chromium)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --threads 2 workshop --quick --out "$work/ws" >"$work/log" 2>&1 || { echo "FAIL: workshop --quick: $(tail -n 5 "$work/log")"; exit 1; }
shots=${2:-$work}
mkdir -p "$shots"
python3 "$here/render_report.py" "$work/ws/report.html" "$shots/report.png"
