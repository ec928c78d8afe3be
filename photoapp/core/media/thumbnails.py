"""Thumbnails: pure-Pillow rendering with a disk cache inside the library folder.

The GUI wraps this in a thin Qt class; nothing here knows about Qt, so the same cache
serves any front end. Thumbnails are never written next to the photos: a user's photo
folders stay untouched.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow and the decoders are imported where a thumbnail is rendered or read:
    from PIL import Image  # the window asks for ``bucket_for`` before its first paint

# Cached sizes: a request is served from the smallest bucket at least as large, so a
# slider drag does not re-render every photo at every pixel size.
BUCKETS = (128, 256, 512)
CACHE_DIRNAME = "thumbnails"


def bucket_for(size: int) -> int:
    return next((b for b in BUCKETS if b >= size), BUCKETS[-1])


def cache_dir(library: Path) -> Path:
    return Path(library) / CACHE_DIRNAME


def cache_path(library: Path, photo_path: str, mtime: float, size: int) -> Path:
    """Keyed by path, mtime and bucket: an edited photo gets a fresh thumbnail."""
    key = hashlib.sha1(f"{photo_path}\0{mtime!r}".encode("utf-8", "surrogateescape")).hexdigest()
    return cache_dir(library) / str(bucket_for(size)) / key[:2] / f"{key}.jpg"


def render(photo_path: str | os.PathLike, size: int) -> Image.Image:
    """An upright RGB image whose longer side is at most ``size`` pixels."""
    from PIL import Image

    from photoapp.core.media.decoding import load_rgb

    img, _ = load_rgb(Path(photo_path), min_side=size)  # JPEG draft mode: decode at reduced scale
    img.thumbnail((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return img


def load_or_render(library: Path, photo_path: str, mtime: float, size: int) -> Image.Image:
    """The cached thumbnail if present, else render it at the bucket size and cache it.

    Raises DecodeError (core/media/decoding.py) when the photo cannot be read (the caller
    shows a broken marker).
    """
    from PIL import Image

    target = cache_path(library, photo_path, mtime, size)
    try:
        with Image.open(target) as cached:
            cached.load()
            return cached.convert("RGB")
    except (OSError, ValueError):
        pass  # missing or damaged cache entry: render again
    img = render(photo_path, bucket_for(size))
    _store(target, img)
    return img


def _store(target: Path, img: Image.Image) -> None:
    """Write via a temp file and rename (readers never see half a JPEG); no fsync, since a
    lost cache entry is simply rendered again and fsync per thumbnail would be slow."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        img.save(tmp, "JPEG", quality=85)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only or full library disk only costs re-rendering


__all__ = ["BUCKETS", "bucket_for", "cache_dir", "cache_path", "load_or_render", "render"]
