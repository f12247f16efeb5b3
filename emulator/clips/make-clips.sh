#!/usr/bin/env bash
# Makes the emulator's demo cameras and codec samples with Debian's ffmpeg. Run once (`npm run clips`, or
# `npm run clips -- SLUG…` for some of them); the outputs are committed, so the app and the tests never need
# ffmpeg to show a wall.
#
# Every camera is shaped like what a KVS producer ingests: H.264 without B-frames, a fixed 2 s GOP
# (50 frames at 25 fps, no scene-cut keyframes), and a fragmented MP4 with exactly one fragment per GOP
# (frag_keyframe) whose decode times start at zero (default_base_moof, 64-bit tfdt). `+dash` makes
# ffmpeg write a sidx before each moof, as KVS-like segmenters do, so the rewriter's sidx path runs on
# real data. Ten GOPs per clip, so a looped camera crosses a seam every 20 s.
#
# Three "codec cameras" cover what KVS carries besides H.264 video alone: H.265 (hvc1), H.264 with AAC audio and
# H.264 with G.711 A-law audio. Their audio lasts exactly as long as the video (20 s), so a looped stream keeps
# sound and picture together across seams:
# - AAC at 32 kHz: 625 frames of 1024 samples are exactly 20 s. The audio is encoded to ADTS first and copied in,
#   so the encoder's priming delay doesn't shift the video's first frame (ffmpeg stretches it by 32 ms otherwise).
# - G.711 A-law at 8 kHz in short packets (20 ms from the source, as RTP cameras send it): ffmpeg's mp4 muxer refuses
#   pcm_alaw ("codec not currently supported in container"), its mov muxer writes the ISO-compatible `alaw` sample
#   entry (version 0, the same layout as AudioSampleEntry), so that camera is muxed with `-f mov`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
size=640x360
fps=25
seconds=20

# Optional slugs: make only those (e.g. `npm run clips -- rooftop`); cameras.json is always rewritten.
only=" $* "
wanted() { [ "$only" = "  " ] || [[ "$only" == *" $1 "* ]]; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v ffmpeg >/dev/null || { echo "make-clips: ffmpeg is not installed (apt-get install ffmpeg)" >&2; exit 1; }
[ -f "$font" ] || { echo "make-clips: $font is missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }

# Camera name top-left, clip clock and frame counter bottom-left: a frozen or skipping picture is
# visible at a glance, and the counter shows the loop seam every 500 frames.
overlay_text() {
  local name="$1"
  printf '%s' "drawtext=fontfile=${font}:text='${name}':fontsize=28:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=8:x=14:y=14,"
  printf '%s' "drawtext=fontfile=${font}:text='%{pts\\:hms}  frame %{n}':fontsize=20:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:x=14:y=h-th-18"
}

# KVS-shaped H.264: main profile, no B-frames, a key frame every 2 s and no others.
H264=(-c:v libx264 -profile:v main -pix_fmt yuv420p -bf 0 -g 50 -keyint_min 50 -sc_threshold 0 -crf 30 -maxrate 150k -bufsize 300k)
# The same for H.265, tagged hvc1 (parameter sets in the sample entry, as KVS's MP4s carry them).
H265=(-c:v libx265 -tag:v hvc1 -preset fast -crf 32 -pix_fmt yuv420p
  -x265-params "log-level=error:bframes=0:scenecut=0:keyint=50:min-keyint=50:vbv-maxrate=150:vbv-bufsize=300")
FRAGMENTED=(-movflags +frag_keyframe+empty_moov+default_base_moof+dash)

# encode_camera SLUG NAME GRAPH [ffmpeg output options…]: a video-only camera (H.264 unless options say otherwise).
encode_camera() {
  local slug="$1" name="$2" graph="$3"; shift 3
  wanted "$slug" || return 0
  local codec=("${H264[@]}")
  [ $# -gt 0 ] && codec=("$@")
  ffmpeg -hide_banner -loglevel error -y \
    -filter_complex "${graph},format=yuv420p,$(overlay_text "$name")[v]" -map '[v]' \
    -t "$seconds" -r "$fps" "${codec[@]}" "${FRAGMENTED[@]}" -f mp4 "${here}/${slug}.mp4"
  echo "made ${slug}.mp4 ($(stat -c %s "${here}/${slug}.mp4") bytes)"
}

# encode_camera_with_audio SLUG NAME GRAPH AUDIO_INPUT_OPTIONS MUXER AUDIO_CODEC_OPTIONS: H.264 video plus the audio
# read by AUDIO_INPUT_OPTIONS (a space-separated ffmpeg input), cut at 20 s like the video. It is muxed whole first
# and fragmented by a second, copying pass: a bitstream filter's codec configuration (aac_adtstoasc's
# AudioSpecificConfig) only exists after the first packet, too late for an empty_moov header, which would then
# carry an esds with no decoder configuration.
encode_camera_with_audio() {
  local slug="$1" name="$2" graph="$3" input="$4" muxer="$5" audio="$6"
  wanted "$slug" || return 0
  # shellcheck disable=SC2086 # the input and audio options are word lists on purpose
  ffmpeg -hide_banner -loglevel error -y \
    -filter_complex "${graph},format=yuv420p,$(overlay_text "$name")[v]" $input -map '[v]' -map 0:a \
    -t "$seconds" -r "$fps" "${H264[@]}" $audio -f "$muxer" "${work}/${slug}.${muxer}"
  ffmpeg -hide_banner -loglevel error -y -i "${work}/${slug}.${muxer}" -map 0 -c copy "${FRAGMENTED[@]}" -f "$muxer" "${here}/${slug}.mp4"
  echo "made ${slug}.mp4 ($(stat -c %s "${here}/${slug}.mp4") bytes)"
}

# The codec cameras.
encoders="$(ffmpeg -hide_banner -encoders 2>/dev/null)"
if [[ "$encoders" == *libx265* ]]; then
  encode_camera rooftop "Rooftop" \
    "mandelbrot=s=${size}:r=${fps}:start_scale=3:end_scale=0.3:maxiter=128" "${H265[@]}"
elif wanted rooftop; then
  echo "make-clips: this ffmpeg has no libx265; rooftop.mp4 not made" >&2
fi
if wanted reception; then
  # A beep each second at 32 kHz, to ADTS first (see the top of this file).
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "sine=frequency=660:beep_factor=4:sample_rate=32000:duration=$((seconds + 1))" \
    -c:a aac -b:a 48k -ac 1 -f adts "${work}/reception.aac"
fi
encode_camera_with_audio reception "Reception" \
  "rgbtestsrc=s=${size}:r=${fps},hue=H=t*0.6" \
  "-i ${work}/reception.aac" mp4 "-c:a copy -bsf:a aac_adtstoasc"
encode_camera_with_audio intercom "Intercom" \
  "cellauto=s=160x90:r=${fps}:rule=110:random_fill_ratio=0.5:random_seed=4:scroll=1,scale=${size}:flags=neighbor,format=rgb24,lutrgb=r=val*0.9:g=val*0.75:b=val*0.6" \
  "-f lavfi -i sine=frequency=1000:beep_factor=2:sample_rate=8000:samples_per_frame=160" mov "-c:a pcm_alaw -ar 8000 -ac 1"

# Sub-streams: a camera's second, low-resolution stream, as many cameras send one for grid views. Made from
# the camera's own clip (same GOPs, so both streams show the same moment), at 320×180 with "SUB 320x180"
# burned in top right, so which stream a tile shows is plain to see. `subStreamOf` in cameras.json ties each to
# its camera; the emulator serves them when asked (`subStreams`) and then tags the camera kvs-wall:sub-stream.
# The same GOP rules at a sub-stream's bit rate (a quarter of the pixels, well under half the bits).
SUB_H264=(-c:v libx264 -profile:v main -pix_fmt yuv420p -bf 0 -g 50 -keyint_min 50 -sc_threshold 0 -crf 32 -maxrate 60k -bufsize 120k)
encode_sub_stream() {
  local camera="$1" slug="${1}-sub"
  wanted "$slug" || return 0
  ffmpeg -hide_banner -loglevel error -y -i "file:${here}/${camera}.mp4" -map 0:v:0 \
    -vf "scale=320:180,drawtext=fontfile=${font}:text='SUB 320x180':fontsize=12:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=4:x=w-tw-8:y=8" \
    -t "$seconds" -r "$fps" "${SUB_H264[@]}" "${FRAGMENTED[@]}" -f mp4 "${here}/${slug}.mp4"
  echo "made ${slug}.mp4 ($(stat -c %s "${here}/${slug}.mp4") bytes)"
}
encode_sub_stream lobby
encode_sub_stream loading-dock
encode_sub_stream parking-north

# Tags are what an operator would put on the streams (TagStream); ListTagsForStream returns them. The codec
# cameras are marked: the emulator serves them only when asked (`codecCameras`), so a wall of the six plays anywhere;
# so are the sub-streams (`subStreamOf`, served with `subStreams`).
cat >"${here}/cameras.json" <<'JSON'
[
  { "slug": "loading-dock", "name": "Loading Dock", "file": "loading-dock.mp4", "tags": { "site": "hq", "zone": "logistics", "floor": "ground" } },
  { "slug": "lobby", "name": "Lobby", "file": "lobby.mp4", "tags": { "site": "hq", "zone": "reception", "floor": "ground" } },
  { "slug": "parking-north", "name": "Parking North", "file": "parking-north.mp4", "tags": { "site": "hq", "zone": "parking", "floor": "outdoor" } },
  { "slug": "server-room", "name": "Server Room", "file": "server-room.mp4", "tags": { "site": "hq", "zone": "it", "floor": "basement" } },
  { "slug": "gate-2", "name": "Gate 2", "file": "gate-2.mp4", "tags": { "site": "hq", "zone": "perimeter", "floor": "outdoor" } },
  { "slug": "warehouse", "name": "Warehouse", "file": "warehouse.mp4", "tags": { "site": "depot-east", "zone": "storage", "floor": "ground" } },
  { "slug": "rooftop", "name": "Rooftop", "file": "rooftop.mp4", "codecCamera": true, "tags": { "site": "hq", "zone": "roof", "floor": "outdoor" } },
  { "slug": "reception", "name": "Reception", "file": "reception.mp4", "codecCamera": true, "tags": { "site": "hq", "zone": "reception", "floor": "ground" } },
  { "slug": "intercom", "name": "Intercom", "file": "intercom.mp4", "codecCamera": true, "tags": { "site": "depot-east", "zone": "perimeter", "floor": "outdoor" } },
  { "slug": "lobby-sub", "name": "Lobby (sub-stream)", "file": "lobby-sub.mp4", "subStreamOf": "lobby", "tags": { "site": "hq", "zone": "reception", "floor": "ground" } },
  { "slug": "loading-dock-sub", "name": "Loading Dock (sub-stream)", "file": "loading-dock-sub.mp4", "subStreamOf": "loading-dock", "tags": { "site": "hq", "zone": "logistics", "floor": "ground" } },
  { "slug": "parking-north-sub", "name": "Parking North (sub-stream)", "file": "parking-north-sub.mp4", "subStreamOf": "parking-north", "tags": { "site": "hq", "zone": "parking", "floor": "outdoor" } }
]
JSON

# Codec samples for the "unsupported codec" paths, not demo cameras: H.265 (KVS accepts it, Chromium's
# MSE here does not play it) and MPEG-4 Part 2 (KVS playback rejects it). Tiny, 4 s, same fMP4 shape.
encode_sample() {
  local file="$1"; shift
  wanted "${file%.mp4}" || return 0
  ffmpeg -hide_banner -loglevel error -y \
    -filter_complex "testsrc2=s=320x180:r=${fps},format=yuv420p[v]" -map '[v]' -t 4 -r "$fps" \
    "$@" -g 50 -keyint_min 50 \
    -movflags +frag_keyframe+empty_moov+default_base_moof+dash -f mp4 "${here}/${file}"
  echo "made ${file} ($(stat -c %s "${here}/${file}") bytes)"
}

if [[ "$encoders" == *libx265* ]]; then
  encode_sample sample-hevc.mp4 -c:v libx265 -tag:v hvc1 -preset fast -crf 34 \
    -x265-params "log-level=error:bframes=0:scenecut=0:keyint=50:min-keyint=50"
else
  echo "make-clips: this ffmpeg has no libx265; sample-hevc.mp4 not made" >&2
fi
encode_sample sample-mpeg4-part2.mp4 -c:v mpeg4 -q:v 24 -bf 0 -sc_threshold 0
