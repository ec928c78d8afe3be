"""What precision "auto" means for a device and a model: read by the torch path (clip.py)
and by the fast path (fast_path.py), which must not import the torch path."""

from __future__ import annotations

# int8 only pays off for wide layers; a tiny model (the 128-wide toy) stays in fp32.
INT8_MIN_WIDTH = 384


def default_precision(device: str, vision_width: int | None = None) -> str:
    """What "auto" means: fp16 on a GPU; int8 image tower on a CPU for full-size models.
    bf16 is never chosen: without AVX-512 BF16/AMX a CPU emulates it (10x slower)."""
    if device in ("cuda", "mps"):
        return "fp16"
    return "int8" if vision_width is None or vision_width >= INT8_MIN_WIDTH else "fp32"
