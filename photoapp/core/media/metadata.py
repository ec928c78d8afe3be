"""When and where, read from a file's metadata alone (no pixel is decoded).

The indexer reads these facts while it decodes a photo; ``read_facts`` reads them again
for photos already in the catalog when the way they are read improves (``VERSION``), so
an existing library gains zones, sub-seconds and positions without being re-embedded.
A position missing from the file is looked for in its XMP sidecar (``photo.jpg.xmp`` or
``photo.xmp``), as darktable, digiKam and Lightroom write it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from photoapp.core.media.capture import CaptureTime, exif_capture, pillow_position, xmp_position
from photoapp.core.media.formats import media_kind

# Bump when the facts below are read differently: photos read by an older version are
# read again (metadata only) at the next index.
VERSION = 1
_SIDECAR_LIMIT = 4 << 20  # an XMP sidecar is a few KB; a larger file is not read


@dataclass
class Facts:
    capture: CaptureTime | None = None
    gps: tuple[float, float] | None = None


def read_facts(path: str | os.PathLike, companion: str | None = None) -> Facts | None:
    """The capture time and position of the file at ``path`` (a RAW+JPEG pair's ``companion``
    fills what the JPEG lacks); None when the file cannot be read now (gone, unreadable,
    not an image), so that what the catalog knows stays; never an error."""
    facts = _read(os.fspath(path))
    if facts is None:
        return None
    if companion and (facts.capture is None or facts.gps is None):
        other = _read(companion) or Facts()
        facts = Facts(facts.capture or other.capture, facts.gps or other.gps)
    if facts.gps is None:
        facts.gps = sidecar_position(os.fspath(path))
    return facts


def _read(path: str) -> Facts | None:
    if not os.path.isfile(path):  # gone (or a FIFO or device now at its path)
        return None
    kind = media_kind(path)
    try:
        if kind == "video":
            from photoapp.core.media import video

            found = video.read_metadata(Path(path))
            return Facts(found[0], found[2]) if found is not None else None
        if kind == "raw":
            from photoapp.core.media import raw

            capture, _, gps = raw.read_facts(Path(path))
            return Facts(capture, gps)
        from PIL import Image

        from photoapp.core.media.decoding import _register_heif
        from photoapp.core.media.image import open_photo

        _register_heif()
        with open_photo(path) as fh, Image.open(fh) as img:
            exif = img.getexif()
            return Facts(exif_capture(exif), pillow_position(exif))
    except Exception:  # noqa: BLE001 - an unreadable file: nothing is known now
        return None


def sidecar_position(path: str) -> tuple[float, float] | None:
    """exif:GPSLatitude/GPSLongitude of the photo's XMP sidecar, if it has one."""
    for sidecar in (path + ".xmp", os.path.splitext(path)[0] + ".xmp"):
        try:
            if os.path.isfile(sidecar) and os.path.getsize(sidecar) <= _SIDECAR_LIMIT:
                with open(sidecar, encoding="utf-8", errors="replace") as fh:
                    found = xmp_position(fh.read())
                if found:
                    return found
        except OSError:
            continue
    return None
