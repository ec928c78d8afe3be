"""Export: copies of photos in another folder, as JPEG with the rotation applied, or as the
original files byte for byte (their sidecar with them, which carries the rotation).

Nothing in place is touched; a name already taken in the target folder gets " (2)", " (3)"...
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable

from photoapp.core.errors import InvalidInput
from photoapp.core.media.decoding import DecodeError, load_rgb

FORMATS = ("jpeg", "original")
JPEG_QUALITY = 92


def free_name(folder: str, name: str) -> str:
    stem, ext = os.path.splitext(name)
    candidate, n = os.path.join(folder, name), 1
    while os.path.lexists(candidate):
        n += 1
        candidate = os.path.join(folder, f"{stem} ({n}){ext}")
    return candidate


def rotated(img, rotation: int):
    """A Pillow image turned ``rotation`` degrees clockwise (Pillow turns anticlockwise)."""
    return img.rotate(-rotation, expand=True) if rotation % 360 else img


def export(items: Iterable[tuple[str, int]], folder: str, fmt: str = "jpeg") -> dict:
    """Copy photos ``(path, rotation)`` into ``folder``; returns {"exported": [{"path",
    "to"}], "failed": [{"path", "reason"}]}."""
    if fmt not in FORMATS:
        raise InvalidInput(f"export format is one of {', '.join(FORMATS)}, not {fmt!r}")
    folder = os.path.abspath(os.path.expanduser(folder))
    if not os.path.isdir(folder):
        raise InvalidInput(f"not a folder: {folder}")
    report: dict = {"folder": folder, "format": fmt, "exported": [], "failed": []}
    for path, rotation in items:
        try:
            if fmt == "original":
                target = free_name(folder, os.path.basename(path))
                shutil.copy2(path, target)
                if os.path.isfile(path + ".xmp"):
                    shutil.copy2(path + ".xmp", target + ".xmp")
            else:
                img = rotated(load_rgb(path)[0], rotation)
                target = free_name(folder, os.path.splitext(os.path.basename(path))[0] + ".jpg")
                img.save(target, "JPEG", quality=JPEG_QUALITY)
        except (DecodeError, OSError) as exc:
            report["failed"].append({"path": path, "reason": getattr(exc, "strerror", None) or str(exc)})
            continue
        report["exported"].append({"path": path, "to": target})
    return report
