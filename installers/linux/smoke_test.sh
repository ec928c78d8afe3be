#!/usr/bin/env bash
# Smoke-test a built Linux bundle the way a fresh machine would run it: a copy outside the
# repository, an empty environment (env -i: no .venv, no PYTHONPATH, a throwaway HOME).
#
#   installers/linux/smoke_test.sh dist/photoapp-<version>-linux-<arch>[.tar.gz]
#
# Checks: `photoapp --version`; `photoapp --model toy demo --no-gui` indexes and searches
# with the shipped tiny model; a DNG (with its JPEG) and an MP4 index through the bundled
# rawpy and PyAV; a GPS-tagged photo and video are placed (New York, Paris) with the bundled
# GeoNames data; the face stage runs on generated photos (HOG, and the CNN detector: zero
# faces, no crash) from the bundled dlib and its three CC0 model files, and the 68-point iBUG
# model is nowhere in the bundle; `photoapp labels list` reads the shipped vocabulary; the GUI
# opens its window offscreen and closes cleanly; install.sh installs and uninstalls into
# a temporary prefix, and the installed command runs through its symlink. Exits non-zero
# on the first failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=${1:?usage: smoke_test.sh dist/photoapp-VERSION-linux-ARCH[.tar.gz]}
EXPECTED_VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/photoapp/__init__.py")

T=$(mktemp -d /tmp/photoapp-smoke.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/app"
if [[ "$SRC" == *.tar.gz ]]; then
  tar -xzf "$SRC" -C "$T/app"
else
  cp -R "$SRC" "$T/app/"
fi
APP=$(find "$T/app" -mindepth 1 -maxdepth 1 -type d | head -n1)
[ -x "$APP/photoapp" ] || { echo "FAIL: no photoapp executable in $SRC" >&2; exit 1; }

pass() { echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; exit 1; }
# A clean environment: only what a desktop session would set.
clean() { env -i HOME="$T/home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }

out=$(clean "$APP/photoapp" --version) || fail "photoapp --version exited $?"
[ "$out" = "photoapp $EXPECTED_VERSION" ] || fail "photoapp --version printed '$out', expected 'photoapp $EXPECTED_VERSION'"
pass "photoapp --version: $out"

t0=$(date +%s%N)
clean "$APP/photoapp" --library "$T/demo-lib" --model toy demo "$T/demo-photos" --no-gui --per-class 2 \
  > "$T/demo.txt" 2> "$T/demo.err" || { cat "$T/demo.err" >&2; fail "photoapp --model toy demo --no-gui exited non-zero"; }
t1=$(date +%s%N)
grep -q "^Indexed 72 demo photos" "$T/demo.txt" || { cat "$T/demo.txt" "$T/demo.err" >&2; fail "demo did not index 72 photos"; }
top=$(grep -A1 "^search 'red circle':" "$T/demo.txt" | tail -n1)
[[ "$top" == *red_circle_on_* ]] || fail "demo: the best match for 'red circle' is '$top'"
pass "photoapp --model toy demo --no-gui: $(head -n1 "$T/demo.txt") ($(( (t1 - t0) / 1000000 )) ms); top hit for 'red circle': ${top##*/}"

hits=$(clean "$APP/photoapp" --library "$T/demo-lib" search "blue square" -k 3) || fail "photoapp search exited non-zero"
[[ "$(echo "$hits" | head -n1)" == *blue_square_on_* ]] || fail "search 'blue square' ranked '$(echo "$hits" | head -n1)' first"
pass "photoapp search 'blue square' on the demo library: ${hits%%$'\n'*}"

# Camera RAW and video through the bundled rawpy and PyAV: the files are made by the build
# environment's Python (pidng, PyAV; tests/media.py), then read only by the bundle.
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
mkdir -p "$T/camera"
mkdir -p "$T/faces"
(cd "$ROOT" && "$PYTHON" -c "
import sys; from pathlib import Path; from tests.media import toy_frames, write_dng, write_video
from tests.places_media import exif_for
out = Path(sys.argv[1]); frames = toy_frames(n=16)
frames[0].save(out / 'IMG_0042.jpg', quality=90, exif=exif_for(taken='2024:05:01 12:00:00', gps=(40.7580, -73.9855)))
write_dng(toy_frames('red', 'circle', n=1)[0], out / 'IMG_0050.dng')
write_video(out / 'VID_0043.mp4', frames, location='+48.8584+002.2945/')
toy_frames('green', 'square', n=1, size=(800, 600))[0].save(Path(sys.argv[2]) / 'IMG_0100.jpg', quality=90)
" "$T/camera" "$T/faces") || fail "could not make the test photos, DNG and MP4 (run ./setup.sh)"
clean "$APP/photoapp" --library "$T/camera-lib" --model toy index "$T/camera" --json > "$T/camera.json" 2> "$T/camera.err" \
  || { cat "$T/camera.err" >&2; fail "photoapp index of a DNG and an MP4 exited non-zero"; }
grep -q '"embedded": 3' "$T/camera.json" && grep -q '"failed": 0' "$T/camera.json" \
  || { cat "$T/camera.json" "$T/camera.err" >&2; fail "the DNG and the MP4 were not both indexed"; }
kinds=$(clean "$APP/photoapp" --library "$T/camera-lib" --model toy search "blue triangle" --all --json) \
  || fail "search on the camera library exited non-zero"
[[ "$kinds" == *'"kind": "video"'* && "$kinds" == *'"kind": "raw"'* ]] || fail "search hits lack the video or the RAW: $kinds"
pass "a DNG and an MP4 indexed and searched through the bundled rawpy and PyAV"
place=$(clean "$APP/photoapp" --library "$T/camera-lib" --model toy show --json "$T/camera/VID_0043.mp4") \
  || fail "photoapp show of the GPS-tagged video exited non-zero"
[[ "$place" == *'"city": "Paris"'* ]] || fail "the bundled geocoder did not name the video's place: $place"
pass "a GPS-tagged video placed in Paris through the bundled GeoNames data"
place=$(clean "$APP/photoapp" --library "$T/camera-lib" --model toy show --json "$T/camera/IMG_0042.jpg") \
  || fail "photoapp show of the GPS-tagged photo exited non-zero"
[[ "$place" == *'"city": "New York"'* ]] || fail "the bundled geocoder did not name the photo's place (Times Square): $place"
pass "a GPS-tagged photo at Times Square placed in New York"

# People: dlib and only the three CC0 files of face-recognition-models; never the 68-point
# iBUG model (its licence excludes commercial use).
for model in shape_predictor_5_face_landmarks.dat mmod_human_face_detector.dat dlib_face_recognition_resnet_model_v1.dat; do
  [ -s "$APP/_internal/resources/face-models/$model" ] || fail "the bundle lacks the face model $model"
done
ibug=$(find "$APP" -iname '*shape_predictor_68*' | head -n1)
[ -z "$ibug" ] || fail "the bundle carries the 68-point iBUG model: ${ibug#"$APP/"}"
ls "$APP"/_internal/_dlib_pybind11*.so > /dev/null 2>&1 || fail "the bundle lacks dlib (_dlib_pybind11)"
# The camera library above ran the face stage (HOG, on by default) on its 3 files: no face
# on generated pictures, and no "faces are not looked for" warning.
! grep -q "faces are not looked for" "$T/camera.err" || { cat "$T/camera.err" >&2; fail "the face stage did not run"; }
faces=$(clean "$APP/photoapp" --library "$T/camera-lib" people settings --json) || fail "photoapp people settings exited non-zero"
[[ "$faces" == *'"photos_scanned": 3'* && "$faces" == *'"faces": 0'* ]] || fail "the HOG face stage did not look at the 3 files: $faces"
# The CNN detector loads the third file (mmod).
clean "$APP/photoapp" --library "$T/cnn-lib" --model toy people settings --detector cnn --json > /dev/null \
  || fail "photoapp people settings --detector cnn exited non-zero"
clean "$APP/photoapp" --library "$T/cnn-lib" --model toy index "$T/faces" --json > "$T/cnn.json" 2> "$T/cnn.err" \
  || { cat "$T/cnn.err" >&2; fail "photoapp index with the CNN face detector exited non-zero"; }
faces=$(clean "$APP/photoapp" --library "$T/cnn-lib" people settings --json) || fail "photoapp people settings exited non-zero"
[[ "$faces" == *'"stage": "dlib-cnn+dlib-resnet-v1"'* && "$faces" == *'"photos_scanned": 1'* && "$faces" == *'"faces": 0'* ]] \
  || { cat "$T/cnn.err" >&2; fail "the CNN face stage did not look at the photo: $faces"; }
pass "people: dlib and the 3 CC0 face models bundled (no 68-point iBUG model); HOG and CNN face stages ran, 0 faces on generated photos"

# int8 on the CPU runs on the bundled ONNX Runtime: the towers are exported and quantised
# into the user cache once, and the index run uses them (not torch's fallback).
mkdir -p "$T/int8-lib"
echo '{"model": "toy", "precision": "int8", "extra": {"auto_tagging": false}}' > "$T/int8-lib/settings.json"
clean "$APP/photoapp" --library "$T/int8-lib" index "$T/camera" --json > "$T/int8.json" 2> "$T/int8.err" \
  || { cat "$T/int8.err" >&2; fail "photoapp index with int8 precision exited non-zero"; }
grep -q '"embedded": 3' "$T/int8.json" || { cat "$T/int8.json" "$T/int8.err" >&2; fail "the int8 index embedded nothing"; }
onnx=$(find "$T/home/.cache" -path '*/models/onnx/*' -name '*-int8.onnx' 2>/dev/null | wc -l || true)
[ "$onnx" -eq 2 ] || { clean "$APP/photoapp" --library "$T/int8-lib" status >&2 || true
  fail "int8 did not run on ONNX Runtime ($onnx exported towers in the cache)"; }
top=$(clean "$APP/photoapp" --library "$T/int8-lib" search "red circle" -k 1) || fail "search on the int8 library exited non-zero"
top=${top%%$'\n'*}
pass "int8 on the bundled ONNX Runtime: 2 towers exported once, 3 files indexed, top hit for 'red circle': ${top##*/}"

# A new library starts with the everyday vocabulary; one on the tiny model with its own.
labels=$(clean "$APP/photoapp" --library "$T/new-lib" labels list) || fail "photoapp labels list exited non-zero"
n=$(echo "$labels" | grep -cv '^\[' || true)
[ "$n" -ge 50 ] || fail "the shipped default vocabulary has only $n labels"
labels=$(clean "$APP/photoapp" --library "$T/demo-lib" labels list) || fail "photoapp labels list exited non-zero"
m=$(echo "$labels" | grep -cv '^\[' || true)
[ "$m" -ge 5 ] || fail "the shipped toy vocabulary has only $m labels"
pass "photoapp labels list: the shipped vocabularies: $n everyday labels, $m for the tiny model"

clean QT_QPA_PLATFORM=offscreen "$APP/photoapp" --library "$T/demo-lib" --model toy --quit-after 4 \
  > "$T/gui.out" 2> "$T/gui.err" || { cat "$T/gui.err" >&2; fail "the GUI exited non-zero"; }
grep -q "the window opened" "$T/gui.err" || { cat "$T/gui.err" >&2; fail "the GUI did not report its window"; }
pass "GUI (QT_QPA_PLATFORM=offscreen): $(grep 'the window opened' "$T/gui.err")"

clean "$APP/install.sh" --prefix "$T/prefix" > "$T/install.txt" || fail "install.sh exited non-zero"
out=$(clean "$T/prefix/bin/photoapp" --version) || fail "the installed photoapp (a symlink) does not run"
[ "$out" = "photoapp $EXPECTED_VERSION" ] || fail "the installed photoapp printed '$out'"
grep -qx "Exec=\"$T/prefix/bin/photoapp\" %F" "$T/prefix/share/applications/photoapp.desktop" || fail "installed .desktop Exec line"
[ -f "$T/prefix/share/icons/hicolor/256x256/apps/photoapp.png" ] || fail "install.sh did not install the hicolor icons"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$T/prefix/share/applications/photoapp.desktop" || fail "the installed .desktop file is invalid"
fi
clean "$APP/install.sh" --prefix "$T/prefix" --uninstall > /dev/null || fail "install.sh --uninstall exited non-zero"
[ ! -e "$T/prefix/lib/photoapp" ] && [ ! -e "$T/prefix/bin/photoapp" ] && \
  [ ! -e "$T/prefix/share/applications/photoapp.desktop" ] || fail "install.sh --uninstall left files behind"
pass "install.sh --prefix: menu entry, hicolor icons, 'photoapp' symlink runs; --uninstall removes them"

# Shared libraries nothing can find: one of the bundle's own (Qt, torch, Python) means the
# bundle lost a file and fails; a system one is what a minimal machine has to install
# (e.g. libxcb-cursor0 for X11), listed as a note.
# (LD_LIBRARY_PATH as the bootloader sets it for the running app.)
missing=$(find "$APP/_internal" -name '*.so*' -type f -exec env LD_LIBRARY_PATH="$APP/_internal" ldd {} + 2>/dev/null \
  | grep 'not found' \
  | awk '{print $1}' | sort -u || true)
own=$(echo "$missing" | grep -E '^lib(Qt6|pyside6|shiboken6|torch|c10|python3)' || true)
[ -z "$own" ] || fail "bundled libraries need missing bundle files: $(echo $own)"
if [ -n "$missing" ]; then
  echo "note: system libraries not on this machine, needed only by the Qt plugins that link them: $(echo $missing)"
fi
pass "no bundled library misses another bundled library"
cuda=$(find "$APP/_internal" -name 'libcudnn*' -o -name 'libcublas*' -o -name 'libtorch_cuda*' | head -n1)
echo "torch: $([ -n "$cuda" ] && echo "CUDA build (CUDA libraries bundled)" || echo "CPU build (no CUDA libraries)")"
echo "size: $(du -sh "$APP" | cut -f1) unpacked"
echo "smoke test passed"
