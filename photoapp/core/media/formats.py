"""The one list of file types the library reads, by extension; no decoder is imported here
(the scanner, the watcher and the query parser need the names, not Pillow).
"""

from __future__ import annotations

import os

# Stills Pillow reads (AVIF natively since Pillow 11.3; HEIC/HEIF through pillow-heif;
# JPEG XL through pillow-jxl-plugin when it is installed: it is GPL-3.0, so not a dependency).
STILL_EXTENSIONS = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".webp",
        ".tif",
        ".tiff",
        ".bmp",
        ".gif",
        ".heic",
        ".heif",
        ".hif",
        ".avif",
        ".jxl",
    }
)
# Camera RAW through rawpy (LibRaw): photoapp/core/media/raw.py.
RAW_EXTENSIONS = frozenset({".dng", ".cr2", ".cr3", ".nef", ".arw", ".raf", ".orf", ".rw2", ".pef", ".srw"})
# Videos through PyAV (FFmpeg): photoapp/core/media/video.py.
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".3gp"})
# Everything the library indexes (the scanner and the watcher look for these names).
PHOTO_EXTENSIONS = STILL_EXTENSIONS | RAW_EXTENSIONS | VIDEO_EXTENSIONS
# The camera's JPEG (or HEIF) beside a RAW of the same name makes a RAW+JPEG pair.
TWIN_EXTENSIONS = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".hif"})


def is_photo_name(name: str) -> bool:
    """A file the library indexes: a still, a camera RAW or a video."""
    return os.path.splitext(name)[1].lower() in PHOTO_EXTENSIONS


def media_kind(name: str | os.PathLike) -> str:
    """photo, raw or video, from the file name's extension."""
    ext = os.path.splitext(os.fspath(name))[1].lower()
    if ext in RAW_EXTENSIONS:
        return "raw"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return "photo"
