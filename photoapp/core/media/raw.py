"""Camera RAW files (DNG, CR2, CR3, NEF, ARW, RAF, ORF, RW2, PEF, SRW) through rawpy (LibRaw).

The camera's embedded JPEG preview is used when it is at least as large as asked for
(fast: no demosaic); otherwise the sensor data is demosaiced at half size. Capture date,
camera and orientation come from the file's EXIF (exifread reads TIFF-based RAWs), with
LibRaw's own timestamp as a fallback. Every failure is a DecodeError with a reason.
"""

from __future__ import annotations

import io
import logging
import os
from datetime import datetime
from pathlib import Path

from PIL import Image

from photoapp.core.media.capture import CaptureTime, Source, exif_position, exif_time, from_wall_clock
from photoapp.core.media.image import (
    MAX_PIXELS,
    TRANSPOSE,
    DecodeError,
    PhotoInfo,
    open_photo,
    to_rgb,
)

# LibRaw's flip (sizes.flip) -> EXIF orientation.
_FLIP_TO_ORIENTATION = {0: 1, 3: 3, 5: 8, 6: 6}
# The preview must have the raw's aspect ratio (some cameras letterbox small previews).
_ASPECT_TOLERANCE = 0.03
# Without a requested size (a full view), a preview this large is still good enough.
_FULL_VIEW_SIDE = 1600


def load_rgb(path: Path, min_side: int | None = None) -> tuple[Image.Image, PhotoInfo]:
    """Decode a RAW file as upright 8-bit RGB: the embedded preview if it is at least
    ``min_side`` on its short side, else a half-size demosaic."""
    try:
        import rawpy
    except ImportError:
        raise DecodeError("camera RAW support is not installed (the rawpy package)") from None
    try:
        with open_photo(path) as fh:  # no FIFO, a size limit, a time limit; LibRaw gets the bytes
            raw = rawpy.imread(fh)
    except rawpy.LibRawFileUnsupportedError:
        raise DecodeError("not a RAW file LibRaw can read (corrupt, or a camera it does not know)") from None
    except rawpy.LibRawIOError:
        raise DecodeError("file is truncated or unreadable (incomplete download or copy?)") from None
    except rawpy.LibRawError as exc:
        raise DecodeError(f"cannot read RAW file: {_libraw_message(exc)}") from None
    except FileNotFoundError:
        raise DecodeError("file vanished before it could be read") from None
    except OSError as exc:
        raise DecodeError(f"cannot read file: {exc.strerror or exc}") from None
    with raw:
        try:
            sizes = raw.sizes
            width, height = int(sizes.width), int(sizes.height)
            if width <= 0 or height <= 0:
                raise DecodeError("RAW file has no image data")
            if width * height > MAX_PIXELS:
                raise DecodeError(
                    f"image too large ({width}x{height}, {width * height / 1e6:.0f} megapixels; "
                    f"limit {MAX_PIXELS // 1_000_000})"
                )
            orientation = _FLIP_TO_ORIENTATION.get(int(sizes.flip), 1)
            img = _preview(raw, width, height, min_side or _FULL_VIEW_SIDE)
            if img is not None:
                if orientation != 1:
                    img = img.transpose(TRANSPOSE[orientation])
            else:
                # LibRaw applies the flip itself when it renders the sensor data.
                rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8)
                img = Image.fromarray(rgb, "RGB")
            timestamp = _libraw_time(raw)
        except DecodeError:
            raise
        except rawpy.LibRawIOError:
            raise DecodeError("file is truncated (incomplete download or copy?)") from None
        except rawpy.LibRawError as exc:
            raise DecodeError(f"corrupt RAW data: {_libraw_message(exc)}") from None
        except MemoryError:
            raise DecodeError("not enough memory to decode this RAW file") from None
        except (OSError, ValueError) as exc:
            raise DecodeError(f"corrupt RAW data: {exc}") from None
    capture, camera, gps = read_facts(path)
    taken = capture.timestamp if capture else None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    ext = os.path.splitext(os.fspath(path))[1].lstrip(".").upper()
    if capture is None and timestamp is not None:
        capture = from_wall_clock(datetime.fromtimestamp(timestamp), None, Source.EXIF)
    info = PhotoInfo(width, height, orientation, taken or timestamp, camera, ext, kind="raw", capture=capture)
    info.gps = gps
    return img, info


def _preview(raw, width: int, height: int, min_side: int) -> Image.Image | None:
    """The embedded preview as RGB when it is big enough and has the raw's shape, else None."""
    import rawpy

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    except rawpy.LibRawError:
        return None  # a damaged preview: the sensor data may still be fine
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            img = Image.open(io.BytesIO(thumb.data))
            if min(img.size) < min_side:
                return None
            if img.format == "JPEG":
                img.draft("RGB", (min_side, min_side))
            img.load()
        else:
            img = Image.fromarray(thumb.data)
    except (OSError, ValueError, SyntaxError):
        return None
    w, h = img.size
    if min(w, h) < min_side or abs(w / h - width / height) > _ASPECT_TOLERANCE * (width / height):
        return None
    return to_rgb(img)


def read_metadata(path: Path) -> tuple[float | None, str | None]:
    """(capture time, camera) from the RAW's EXIF; (None, None) when it has none."""
    capture, camera, _ = read_facts(path)
    return (capture.timestamp if capture else None), camera


def read_facts(path: Path) -> tuple[CaptureTime | None, str | None, tuple[float, float] | None]:
    """(capture time, camera, position) from the RAW's EXIF (exifread); Nones when it has none."""
    try:
        import exifread
    except ImportError:
        return None, None, None
    logging.getLogger("exifread").setLevel(logging.ERROR)  # it warns about every odd maker note
    try:
        with open_photo(path) as fh:
            tags = exifread.process_file(fh, details=False)
    except Exception:  # noqa: BLE001 - broken EXIF must never cost the photo
        return None, None, None
    capture = None
    for key, sub, zone in (
        ("EXIF DateTimeOriginal", "EXIF SubSecTimeOriginal", "EXIF OffsetTimeOriginal"),
        ("Image DateTimeOriginal", "EXIF SubSecTimeOriginal", "EXIF OffsetTimeOriginal"),
        ("EXIF DateTimeDigitized", "EXIF SubSecTimeDigitized", "EXIF OffsetTimeDigitized"),
        ("Image DateTime", "EXIF SubSecTime", "EXIF OffsetTime"),
    ):
        if key in tags:
            capture = exif_time(_value(tags, key), _value(tags, sub), _value(tags, zone))
            if capture is not None:
                break
    make = str(tags.get("Image Make", "") or "").strip("\x00 ")
    model = str(tags.get("Image Model", "") or "").strip("\x00 ")
    if model and make and not model.lower().startswith(make.split()[0].lower()):
        model = f"{make} {model}"
    return capture, (model or make or None), _gps(tags)


def _value(tags: dict, key: str):
    return str(tags[key].values) if key in tags else None


def _gps(tags: dict) -> tuple[float, float] | None:
    try:
        values = {
            1: _value(tags, "GPS GPSLatitudeRef"),
            2: tuple(float(v) for v in tags["GPS GPSLatitude"].values),
            3: _value(tags, "GPS GPSLongitudeRef"),
            4: tuple(float(v) for v in tags["GPS GPSLongitude"].values),
        }
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None
    return exif_position(values)


def _libraw_time(raw) -> float | None:
    try:
        when = raw.other.timestamp
    except Exception:  # noqa: BLE001 - older rawpy without .other
        return None
    if not isinstance(when, datetime) or when.year < 1971:
        return None
    return when.timestamp()


def _libraw_message(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text) or type(exc).__name__
