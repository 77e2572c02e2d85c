#!/bin/sh
# Regenerates every icon file from icons/cachalot.svg. Run from anywhere: icons/build-icons.sh
# Tools (Debian): rsvg-convert (librsvg2-bin) renders the SVG, icotool (icoutils) packs the .ico,
# png2icns (icnsutils) packs the .icns. Installed via apt when missing and running as root.
# The outputs are checked in; rerun after editing the SVG and commit the result.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
svg="$here/cachalot.svg"
out="$here/png"
resources="$repo/src/main/resources/dev/cachalot/app/icons"
sizes="16 24 32 48 64 128 256 512"

need_tools() {
  missing=""
  command -v rsvg-convert >/dev/null 2>&1 || missing="$missing librsvg2-bin"
  command -v icotool >/dev/null 2>&1 || missing="$missing icoutils"
  command -v png2icns >/dev/null 2>&1 || missing="$missing icnsutils"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2
  else
    echo "build-icons: missing tools, install:$missing" >&2
    exit 1
  fi
}

need_tools
mkdir -p "$out" "$resources"

for s in $sizes; do
  rsvg-convert --width "$s" --height "$s" --keep-aspect-ratio "$svg" --output "$out/cachalot-$s.png"
done

# Windows: one .ico with the sizes Explorer and the taskbar pick from (256 stored as PNG).
icotool --create --output "$here/cachalot.ico" \
  "$out/cachalot-16.png" "$out/cachalot-24.png" "$out/cachalot-32.png" "$out/cachalot-48.png" \
  "$out/cachalot-64.png" "$out/cachalot-128.png" --raw="$out/cachalot-256.png"

# macOS: png2icns accepts only the classic icns sizes.
png2icns "$here/cachalot.icns" \
  "$out/cachalot-16.png" "$out/cachalot-32.png" "$out/cachalot-48.png" \
  "$out/cachalot-128.png" "$out/cachalot-256.png" "$out/cachalot-512.png" >/dev/null

# Window icons for the JavaFX stage (Stage.getIcons picks the best fit).
for s in 16 32 64 256; do
  cp "$out/cachalot-$s.png" "$resources/cachalot-$s.png"
done

echo "icons written to $here (png/, cachalot.ico, cachalot.icns) and $resources"
