#!/usr/bin/env bash
# Create .venv with everything Photoapp needs, with the PyTorch build that fits this machine:
#   - no NVIDIA GPU (nvidia-smi absent or failing): the CPU build, from PyTorch's CPU index
#     (a bare "torch" from the default index is, on Linux, the multi-GB CUDA build); where
#     that index cannot be reached in a few seconds, the default index (said on the screen);
#   - an NVIDIA GPU (nvidia-smi lists one): the CUDA build, from the default index;
#   - macOS: the default wheel (CPU and the Apple GPU).
# PHOTOAPP_TORCH=cpu|cuda|default overrides the choice. It prints which build and why.
# Safe to run again: it only installs what is missing (an installed torch is kept, and said).
# SETUP_PLAN_ONLY=1 prints the torch choice and stops (tests/test_setup.py).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
TORCH_VERSION=2.13.0
CPU_INDEX=https://download.pytorch.org/whl/cpu

# The torch build for this machine: "<cpu|cuda|default> <why>" on one line.
torch_plan() {
  case "${PHOTOAPP_TORCH:-}" in
    cpu | cuda | default) echo "$PHOTOAPP_TORCH as PHOTOAPP_TORCH asks"; return ;;
    "") ;;
    *) echo "setup: PHOTOAPP_TORCH must be cpu, cuda or default (not '$PHOTOAPP_TORCH')" >&2; exit 2 ;;
  esac
  if [ "$(uname -s)" = Darwin ]; then
    echo "default this is macOS: the default wheel runs on the CPU and the Apple GPU"
    return
  fi
  local gpu
  if command -v nvidia-smi >/dev/null 2>&1 && gpu=$(nvidia-smi -L 2>/dev/null) && [ -n "$gpu" ]; then
    echo "cuda nvidia-smi lists an NVIDIA GPU ($(echo "$gpu" | head -n 1 | cut -c1-60))"
    return
  fi
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "cpu nvidia-smi is here but lists no working NVIDIA GPU"
  else
    echo "cpu there is no NVIDIA GPU (no nvidia-smi)"
  fi
}

plan=$(torch_plan)
build=${plan%% *}
why=${plan#* }
if [ "${SETUP_PLAN_ONLY:-}" = 1 ]; then
  echo "$build: $why"
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip

# What torch is in .venv: "2.13.0+cpu CPU build" / "2.13.0+cu128 CUDA 12.8 build"; empty if none.
installed_torch() {
  python -c 'import torch; c = torch.version.cuda; print(torch.__version__, f"CUDA {c} build" if c else "CPU build")' \
    2>/dev/null || true
}

have=$(installed_torch)
if [ -n "$have" ]; then
  echo "setup: torch $have already installed; kept (this machine would get the $build build: $why)"
  if [ "$build" = cpu ] && [ "${have#*CUDA}" != "$have" ]; then
    echo "setup: for the smaller CPU build: .venv/bin/pip uninstall -y torch && ./setup.sh"
  fi
else
  case "$build" in
    cpu)
      echo "setup: installing the CPU build of torch $TORCH_VERSION ($why), from $CPU_INDEX"
      # A short timeout and no retries: an unreachable index costs seconds, not minutes.
      if ! pip install --quiet --timeout 10 --retries 0 --index-url "$CPU_INDEX" "torch==$TORCH_VERSION"; then
        echo "setup: the CPU index could not be reached; torch from the default index instead" \
          "(on Linux x86-64 that can be the CUDA build, several GB)"
        pip install --quiet "torch==$TORCH_VERSION"
      fi
      ;;
    cuda)
      echo "setup: installing the CUDA build of torch $TORCH_VERSION ($why), from the default index:" \
        "several GB with its NVIDIA libraries (PHOTOAPP_TORCH=cpu ./setup.sh for the CPU build)"
      pip install --quiet "torch==$TORCH_VERSION"
      ;;
    default)
      echo "setup: installing torch $TORCH_VERSION from the default index ($why)"
      pip install --quiet "torch==$TORCH_VERSION"
      ;;
  esac
  echo "setup: installed torch $(installed_torch)"
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
