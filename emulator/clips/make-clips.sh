#!/usr/bin/env bash
# Makes the emulator's demo cameras and codec samples with Debian's ffmpeg. Run once (`npm run clips`);
# the outputs are committed, so the app and the tests never need ffmpeg to show a wall.
#
# Every camera is shaped like what a KVS producer ingests: H.264 without B-frames, a fixed 2 s GOP
# (50 frames at 25 fps, no scene-cut keyframes), and a fragmented MP4 with exactly one fragment per GOP
# (frag_keyframe) whose decode times start at zero (default_base_moof, 64-bit tfdt). `+dash` makes
# ffmpeg write a sidx before each moof, as KVS-like segmenters do, so the rewriter's sidx path runs on
# real data. Ten GOPs per clip, so a looped camera crosses a seam every 20 s.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
size=640x360
fps=25
seconds=20

command -v ffmpeg >/dev/null || { echo "make-clips: ffmpeg is not installed (apt-get install ffmpeg)" >&2; exit 1; }
[ -f "$font" ] || { echo "make-clips: $font is missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }

# Camera name top-left, clip clock and frame counter bottom-left: a frozen or skipping picture is
# visible at a glance, and the counter shows the loop seam every 500 frames.
overlay_text() {
  local name="$1"
  printf '%s' "drawtext=fontfile=${font}:text='${name}':fontsize=28:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=8:x=14:y=14,"
  printf '%s' "drawtext=fontfile=${font}:text='%{pts\\:hms}  frame %{n}':fontsize=20:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:x=14:y=h-th-18"
}

encode_camera() {
  local slug="$1" name="$2" graph="$3"
  ffmpeg -hide_banner -loglevel error -y \
    -filter_complex "${graph},format=yuv420p,$(overlay_text "$name")[v]" -map '[v]' \
    -t "$seconds" -r "$fps" \
    -c:v libx264 -profile:v main -pix_fmt yuv420p -bf 0 \
    -g 50 -keyint_min 50 -sc_threshold 0 \
    -crf 30 -maxrate 150k -bufsize 300k \
    -movflags +frag_keyframe+empty_moov+default_base_moof+dash \
    -f mp4 "${here}/${slug}.mp4"
  echo "made ${slug}.mp4 ($(stat -c %s "${here}/${slug}.mp4") bytes)"
}

encode_camera loading-dock "Loading Dock" \
  "testsrc2=s=${size}:r=${fps}"
encode_camera lobby "Lobby" \
  "life=s=320x180:r=${fps}:mold=10:ratio=0.12:seed=7:life_color=#50c8ff:death_color=#101830:mold_color=#203050,scale=${size}:flags=neighbor"
encode_camera parking-north "Parking North" \
  "sierpinski=s=${size}:r=${fps}:type=triangle:jump=1:seed=5,format=rgb24,lutrgb=r=val*0.9:g=val*0.6:b=val*0.2"
encode_camera server-room "Server Room" \
  "cellauto=s=160x90:r=${fps}:rule=18:random_fill_ratio=0.03:random_seed=11:scroll=1,scale=${size}:flags=neighbor,format=rgb24,lutrgb=r=val*0.15:g=val*0.85:b=val*0.45"
encode_camera gate-2 "Gate 2" \
  "smptehdbars=s=${size}:r=${fps}[bars];color=c=orange:s=90x90:r=${fps}[box];[bars][box]overlay=x='mod(t*150,W+w)-w':y='H/2-h/2+sin(t*2)*80'"
encode_camera warehouse "Warehouse" \
  "gradients=s=${size}:r=${fps}:speed=0.03:n=4:seed=3"

# Tags are what an operator would put on the streams (TagStream); ListTagsForStream returns them.
cat >"${here}/cameras.json" <<'JSON'
[
  { "slug": "loading-dock", "name": "Loading Dock", "file": "loading-dock.mp4", "tags": { "site": "hq", "zone": "logistics", "floor": "ground" } },
  { "slug": "lobby", "name": "Lobby", "file": "lobby.mp4", "tags": { "site": "hq", "zone": "reception", "floor": "ground" } },
  { "slug": "parking-north", "name": "Parking North", "file": "parking-north.mp4", "tags": { "site": "hq", "zone": "parking", "floor": "outdoor" } },
  { "slug": "server-room", "name": "Server Room", "file": "server-room.mp4", "tags": { "site": "hq", "zone": "it", "floor": "basement" } },
  { "slug": "gate-2", "name": "Gate 2", "file": "gate-2.mp4", "tags": { "site": "hq", "zone": "perimeter", "floor": "outdoor" } },
  { "slug": "warehouse", "name": "Warehouse", "file": "warehouse.mp4", "tags": { "site": "depot-east", "zone": "storage", "floor": "ground" } }
]
JSON

# Codec samples for the "unsupported codec" paths, not demo cameras: H.265 (KVS accepts it, Chromium's
# MSE here does not play it) and MPEG-4 Part 2 (KVS playback rejects it). Tiny, 4 s, same fMP4 shape.
encode_sample() {
  local file="$1"; shift
  ffmpeg -hide_banner -loglevel error -y \
    -filter_complex "testsrc2=s=320x180:r=${fps},format=yuv420p[v]" -map '[v]' -t 4 -r "$fps" \
    "$@" -g 50 -keyint_min 50 \
    -movflags +frag_keyframe+empty_moov+default_base_moof+dash -f mp4 "${here}/${file}"
  echo "made ${file} ($(stat -c %s "${here}/${file}") bytes)"
}

encoders="$(ffmpeg -hide_banner -encoders 2>/dev/null)"
if [[ "$encoders" == *libx265* ]]; then
  encode_sample sample-hevc.mp4 -c:v libx265 -tag:v hvc1 -preset fast -crf 34 \
    -x265-params "log-level=error:bframes=0:scenecut=0:keyint=50:min-keyint=50"
else
  echo "make-clips: this ffmpeg has no libx265; sample-hevc.mp4 not made" >&2
fi
encode_sample sample-mpeg4-part2.mp4 -c:v mpeg4 -q:v 24 -bf 0 -sc_threshold 0
