#!/usr/bin/env bash
# Checks that the code quoted in docs/*.md is the code the examples run.
#
# A quoted block is a ```cpp fence right after a marker line
#   <!-- snippet: examples/fgsm_by_hand.cpp#grad -->
# and must equal, line for line, the region of that file between
#   // [snippet:grad]   and the next   // [/snippet]
# with the region's common indentation removed. Exits 1 on any mismatch, on a
# marker whose file or region is missing, and when no marker is found at all.
# Run from anywhere; CTest runs it as the test `doc_snippets`.
set -euo pipefail
cd "$(dirname "$0")/.."

# region FILE NAME: the region's lines, de-indented; fails if absent.
region() {
  awk -v name="$2" '
    $0 ~ "// \\[snippet:" name "\\]" { inside = 1; found = 1; next }
    inside && $0 ~ "// \\[/snippet\\]" { inside = 0; next }
    inside { lines[n++] = $0 }
    END {
      if (!found) exit 2
      indent = -1
      for (i = 0; i < n; i++) {
        if (lines[i] ~ /^[ \t]*$/) continue
        match(lines[i], /^[ ]*/)
        if (indent < 0 || RLENGTH < indent) indent = RLENGTH
      }
      for (i = 0; i < n; i++) print (lines[i] ~ /^[ \t]*$/ ? "" : substr(lines[i], indent + 1))
    }' "$1"
}

# quoted DOC LINE: the ```cpp block that starts after marker line LINE.
quoted() {
  awk -v start="$2" '
    NR == start + 1 { if ($0 != "```cpp") exit 3; inside = 1; next }
    inside && $0 == "```" { exit 0 }
    inside { print }' "$1"
}

status=0 checked=0
for doc in docs/*.md; do
  while IFS=: read -r line marker; do
    ref=$(sed -E 's/.*<!-- snippet: *([^ #]+)#([A-Za-z0-9_-]+) *-->.*/\1 \2/' <<<"$marker")
    file=${ref% *} name=${ref#* }
    where="$doc:$line ($file#$name)"
    if [ ! -f "$file" ]; then echo "$where: no such file"; status=1; continue; fi
    if ! want=$(region "$file" "$name"); then echo "$where: no region [snippet:$name]"; status=1; continue; fi
    if ! got=$(quoted "$doc" "$line"); then echo "$where: marker not followed by a \`\`\`cpp block"; status=1; continue; fi
    if [ "$want" != "$got" ]; then
      echo "$where: quoted code differs from the example:"
      diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/  /' || true
      status=1
    fi
    checked=$((checked + 1))
  done < <(grep -n '<!-- snippet:' "$doc" || true)
done
if [ "$checked" -eq 0 ] && [ "$status" -eq 0 ]; then echo "no snippet markers found in docs/*.md"; exit 1; fi
[ "$status" -eq 0 ] && echo "doc snippets: $checked in sync"
exit "$status"
