"""What every decoder (stills, camera RAW, video) shares: the pixel limit, the error a
person reads, the facts read from a file, EXIF orientation and dates, and RGB conversion.
decoding.py dispatches to raw.py and video.py; all three import this, never each other.
"""

from __future__ import annotations

import io
import os
import stat
import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from PIL import Image, ImageFile

from photoapp.core.errors import PhotoappError
from photoapp.core.media.capture import CaptureTime
from photoapp.core.media.formats import media_kind
from photoapp.core.units import human_size

# Refuse decompression bombs ourselves (before any pixel is allocated) with our own
# message; 48 MP camera files and large panoramas stay well under this.
MAX_PIXELS = 180_000_000
Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False

# The largest file of each kind that is read at all: a bigger one is refused by its size
# before a byte is read (a 6 GB file with a JPEG header kept the JPEG parser busy for
# minutes). Stills: 180 MP in the widest format Pillow decodes (16-bit RGBA, uncompressed
# TIFF) take 1.44 GB. RAW: the largest cameras' files (150 MP medium format) are 200-400 MB,
# and LibRaw is given the whole file in memory. Videos: decoding seeks, so size costs
# little, but hashing more than 64 GB takes longer than the time limit on ordinary disks.
MAX_FILE_BYTES = {"photo": 2 << 30, "raw": 1 << 30, "video": 64 << 30}
# The longest one opened file may be read for (a hash or a decode). Checked on every read,
# so a pathological file ends its own decode: no thread is left behind reading it.
READ_TIMEOUT = 60.0

BACKGROUND = (255, 255, 255)
TRANSPOSE = {
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


def open_photo(path: str | os.PathLike, timeout: float | None = None) -> io.BufferedReader:
    """Open a photo file for reading, refusing before any read what could hang or flood:

    - FIFOs, sockets and devices: opened with O_NONBLOCK (opening a FIFO never waits for a
      writer) and checked on the opened descriptor, so a pipe swapped in after the scan's
      stat is still refused;
    - a file over its kind's ``MAX_FILE_BYTES``.

    Every read past ``timeout`` seconds (default ``READ_TIMEOUT``) raises DecodeError.
    """
    nonblock = getattr(os, "O_NONBLOCK", 0)  # POSIX; Windows has no FIFOs to open
    flags = os.O_RDONLY | nonblock | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise DecodeError("file vanished before it could be read") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except OSError as exc:
        raise DecodeError(f"cannot open file: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DecodeError("not a regular file (device, pipe, socket or folder)")
        if st.st_size == 0:
            raise DecodeError("empty file (0 bytes)")
        limit = MAX_FILE_BYTES[media_kind(os.fspath(path))]
        if st.st_size > limit:
            raise DecodeError(f"file too large for its kind ({human_size(st.st_size)}; limit {human_size(limit)})")
        if nonblock:
            os.set_blocking(fd, True)  # a regular file: reads as usual from here on
        raw = _TimedFile(fd, READ_TIMEOUT if timeout is None else timeout)
    except BaseException:
        os.close(fd)
        raise
    return io.BufferedReader(raw)


class _TimedFile(io.FileIO):
    """A file whose reads fail once its deadline has passed: decoders read through Python
    (Pillow's parsers, PyAV's I/O, hashing), so each of them ends in time by itself."""

    def __init__(self, fd: int, timeout: float):
        super().__init__(fd, "rb", closefd=True)
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout

    def _check(self) -> None:
        if time.monotonic() > self.deadline:
            raise DecodeError(f"reading took longer than {self.timeout:g} s (a stalled drive or a pathological file)")

    def readinto(self, buffer) -> int | None:
        self._check()
        return super().readinto(buffer)

    def read(self, size: int = -1) -> bytes | None:
        self._check()
        return super().read(size)

    def readall(self) -> bytes:
        self._check()
        return super().readall()


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
    capture: CaptureTime | None = None  # when, with sub-seconds and zone (``taken`` is its timestamp)
    gps: tuple[float, float] | None = None  # where: (latitude, longitude), a valid position only
    # (capture time, camera) for telling bursts (exif.shot_of); None where it was not read
    shot: tuple[float | None, str | None] | None = None


def parse_exif_date(value) -> float | None:
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
        base = Image.new("RGB", rgba.size, BACKGROUND)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return img.convert("RGB")
