"""What every decoder shares (photos, RAW files, videos): the error a person reads, the
metadata record, the pixel limit, EXIF orientation and date, and the conversion to RGB.
decoding.py dispatches to raw.py and video.py, which build on this module (not on
decoding.py: no import cycle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from PIL import Image, ImageFile

from photoapp.core.errors import PhotoappError

# Refuse decompression bombs ourselves (before any pixel is allocated) with our own
# message; 48 MP camera files and large panoramas stay well under this.
MAX_PIXELS = 180_000_000
Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False

_BACKGROUND = (255, 255, 255)
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class DecodeError(PhotoappError):
    """A photo that cannot be read; ``str(err)`` is the reason shown to the user."""


@dataclass
class PhotoInfo:
    width: int  # as displayed, after EXIF orientation
    height: int
    orientation: int
    taken: float | None  # EXIF DateTimeOriginal as a POSIX timestamp (local time), if any
    camera: str | None
    format: str | None
    kind: str = "photo"  # photo | raw | video
    duration: float | None = None  # videos: seconds


def _parse_exif_date(value) -> float | None:
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 ")
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            return datetime.strptime(value[:19], fmt).timestamp()
        except ValueError:
            continue
    return None


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB; transparency is flattened onto white."""
    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float32)
        hi = 65535.0 if img.mode.startswith("I;16") or arr.max() > 255 else 255.0
        arr = np.clip(arr / hi * 255.0, 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L").convert("RGB")
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, _BACKGROUND)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return img.convert("RGB")
