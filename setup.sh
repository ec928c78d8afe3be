#!/usr/bin/env bash
# Create .venv with everything Photoapp needs (CPU torch first: a bare "torch" would pull
# a multi-GB CUDA build). Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if ! python -c "import torch" 2>/dev/null; then
  pip install --quiet "torch==2.13.0" || pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu
fi
# build: PyInstaller, so tests/installers can run the installers' spec for every platform.
pip install --quiet -e ".[test,build,lint]"
# exiftool (Debian/Ubuntu: libimage-exiftool-perl) lets the tests check XMP sidecars with the
# tool digiKam and darktable users rely on; optional: those checks are skipped without it.
if ! command -v exiftool >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get install -y -q libimage-exiftool-perl >/dev/null 2>&1 || echo "setup: exiftool not installed (XMP checks will be skipped)" >&2
fi
# desktop-file-validate (Debian/Ubuntu: desktop-file-utils) checks the Linux menu entry in
# tests/installers; optional: that check is skipped without it.
if ! command -v desktop-file-validate >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get install -y -q desktop-file-utils >/dev/null 2>&1 || echo "setup: desktop-file-utils not installed (.desktop check will be skipped)" >&2
fi
