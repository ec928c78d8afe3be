"""Which device embeds: CUDA, else Apple MPS, else the CPU.

Asking torch (``torch.cuda.is_available()``) costs its import, 1.5-2.5 s and 230 MB, which
the CPU's query path (ONNX Runtime, clip.py) otherwise never pays. So torch is asked only
where a GPU it could use may exist: a GPU driver is present (NVIDIA's or AMD's on Linux,
NVIDIA's on Windows, WSL's GPU bridge) or the machine is a Mac (MPS). Elsewhere the answer
is the CPU, as torch would say.
"""

from __future__ import annotations

import ctypes.util
import sys
from pathlib import Path

from photoapp.core.errors import InvalidInput

DEVICES = ("auto", "cpu", "cuda", "mps")
# What a Linux GPU driver leaves behind: NVIDIA's driver, AMD's ROCm, WSL2's GPU bridge.
LINUX_GPU_FILES = ("/proc/driver/nvidia/version", "/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd", "/dev/dxg")


def gpu_possible() -> bool:
    """False only where no GPU torch can use can exist; True: ask torch."""
    if sys.platform.startswith("linux"):
        return any(Path(p).exists() for p in LINUX_GPU_FILES)
    if sys.platform == "win32":
        return ctypes.util.find_library("nvcuda") is not None
    return True  # macOS (MPS) and anything else: torch knows


def choose_device(preference: str = "auto") -> str:
    if preference not in DEVICES:
        raise InvalidInput(f"unknown device {preference!r} (choose auto, cpu, cuda or mps)")
    if preference == "cpu" or not gpu_possible():
        return "cpu"
    try:
        import torch
    except ImportError:
        return "cpu"
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return "cuda"
    if preference in ("auto", "mps") and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"
