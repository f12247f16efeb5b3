#!/usr/bin/env bash
# Draws the app icon (a 3×3 wall of tiles, one live) with ImageMagick and writes every size the
# installers need: icon.png (1024, macOS/Linux; electron-builder derives .icns), icon.ico (Windows),
# icons/<n>x<n>.png (Linux desktop entries).
set -euo pipefail
cd "$(dirname "$0")"
S=1024
draw=(-draw "fill #151922 roundrectangle 40,40 984,984 180,180")
pad=150; gap=36; tile=$(( (S - 2*pad - 2*gap) / 3 ))
for r in 0 1 2; do
  for c in 0 1 2; do
    x=$(( pad + c*(tile+gap) )); y=$(( pad + r*(tile+gap) ))
    color="#2f6fd6"; [ $(( (r + c) % 2 )) -eq 1 ] && color="#3d83ee"
    draw+=(-draw "fill $color roundrectangle $x,$y $((x+tile)),$((y+tile)) 28,28")
  done
done
# The "live" dot on the first tile.
draw+=(-draw "fill #ff4d4d circle $((pad+tile-46)),$((pad+46)) $((pad+tile-46)),$((pad+70))")
convert -size ${S}x${S} xc:none "${draw[@]}" -depth 8 -strip PNG32:icon.png
mkdir -p icons
for n in 16 32 48 64 128 256 512; do convert icon.png -resize ${n}x${n} -depth 8 -strip PNG32:icons/${n}x${n}.png; done
convert icons/16x16.png icons/32x32.png icons/48x48.png icons/64x64.png icons/128x128.png icons/256x256.png icon.ico
