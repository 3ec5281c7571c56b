#!/usr/bin/env bash
# Checks the layer rules of docs/design.md on every #include "advgrad/..." of
# the library's folders: a folder may include only itself and the folders it
# is allowed below it. The CMake targets already make the coarse rules a build
# error (advgrad_kernels sees only kernels/, advgrad_core only core/ io/ and
# kernels/, advgrad no imageio/, report/ or workshop/); this script adds the finer ones
# inside a target: an attack never reads a data set, nothing above core/ reaches
# into kernels/, eval/ never uses training/.
# Exits 1 and lists every include that breaks a rule. CTest runs it as `layers`.
set -euo pipefail
cd "$(dirname "$0")/.."

# folder: the folders its files may include (itself included).
declare -A allowed=(
  [kernels]="kernels"
  [core]="core kernels"
  [io]="io core"
  [nn]="nn io core"
  [attacks]="attacks nn core"
  [data]="data io core"
  [eval]="eval data attacks nn io core"
  [training]="training eval data attacks nn io core"
  [imageio]="imageio data io core"
  [report]="report imageio training eval data attacks nn io core"
  [workshop]="workshop report imageio training eval data attacks nn io core"
)

status=0 checked=0
for folder in "${!allowed[@]}"; do
  [ -d "$folder" ] || continue
  while IFS=: read -r file line target; do
    dep=${target#advgrad/}
    dep=${dep%%/*}
    checked=$((checked + 1))
    case " ${allowed[$folder]} " in
      *" $dep "*) ;;
      *) echo "$file:$line: $folder/ may not include $target (allowed: ${allowed[$folder]})"; status=1 ;;
    esac
  done < <(grep -rnoE --include='*.h' --include='*.cpp' --include='*.cu' --include='*.cuh' \
             '^#include "advgrad/[a-z_]+/[^"]*"' "$folder" | sed -E 's/#include "([^"]*)"/\1/')
done
[ "$checked" -gt 0 ] || { echo "check_layers: no includes found"; exit 1; }
[ "$status" -eq 0 ] && echo "layers: $checked includes checked, all allowed"
exit "$status"
