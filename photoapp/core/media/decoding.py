"""Decoding photos: metadata, orientation, reduced-size JPEG decoding, colour modes.

Every failure becomes a ``DecodeError`` whose message a person understands; callers
record it as a problem for that file and go on with the next one.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

from photoapp.core.embedding.preprocess import PreprocessSpec
from photoapp.core.media.capture import exif_capture, pillow_position
from photoapp.core.media.exif import shot_of
from photoapp.core.media.formats import (  # noqa: F401
    PHOTO_EXTENSIONS,
    RAW_EXTENSIONS,
    STILL_EXTENSIONS,
    TWIN_EXTENSIONS,
    VIDEO_EXTENSIONS,
    is_photo_name,
    media_kind,
)
from photoapp.core.media.image import (  # noqa: F401
    BACKGROUND,
    MAX_PIXELS,
    TRANSPOSE,
    DecodeError,
    PhotoInfo,
    open_photo,
    parse_exif_date,
    to_rgb,
)

_TAG_ORIENTATION = 0x0112
_TAG_MAKE, _TAG_MODEL = 0x010F, 0x0110
_heif_registered = False
_jxl_available = False


def _register_heif() -> None:
    global _heif_registered, _jxl_available
    if not _heif_registered:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:  # HEIC support is optional at run time
            pass
        try:
            import pillow_jxl  # noqa: F401 - registers the JPEG XL plugin with Pillow

            _jxl_available = True
        except ImportError:
            pass
        _heif_registered = True


def read_info(img: Image.Image) -> PhotoInfo:
    """Metadata of an opened (not yet loaded) image; corrupt EXIF is ignored, not fatal."""
    orientation, capture, camera, gps = 1, None, None, None
    try:
        exif = img.getexif()
        orientation = int(exif.get(_TAG_ORIENTATION, 1) or 1)
        capture = exif_capture(exif)
        gps = pillow_position(exif)
        make = str(exif.get(_TAG_MAKE, "") or "").strip("\x00 ")
        model = str(exif.get(_TAG_MODEL, "") or "").strip("\x00 ")
        if model and make and not model.lower().startswith(make.split()[0].lower()):
            model = f"{make} {model}"
        camera = model or make or None
    except Exception:  # noqa: BLE001 - broken EXIF must never cost the photo
        pass
    if orientation not in range(1, 9):
        orientation = 1
    w, h = img.size
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    taken = capture.timestamp if capture else None
    try:  # the duplicate finder's burst facts, from the same EXIF (not read again from the file)
        shot = shot_of(img.getexif())
    except Exception:  # noqa: BLE001 - no burst evidence, nothing worse
        shot = (None, None)
    return PhotoInfo(w, h, orientation, taken, camera, img.format, capture=capture, gps=gps, shot=shot)


def _open(source: BinaryIO, name: str = "") -> Image.Image:
    _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img = Image.open(source)
    except UnidentifiedImageError:
        if not _jxl_available and name.lower().endswith(".jxl"):
            raise DecodeError("JPEG XL support is not installed (pip install pillow-jxl-plugin)") from None
        raise DecodeError("not a recognised image format (the file may be corrupt or mislabelled)") from None
    except FileNotFoundError:
        raise DecodeError("file vanished before it could be read") from None
    except PermissionError:
        raise DecodeError("permission denied") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise DecodeError(f"cannot read image: {exc}") from None
    w, h = img.size
    if w <= 0 or h <= 0:
        raise DecodeError("image has no pixels")
    if w * h > MAX_PIXELS:
        raise DecodeError(f"image too large ({w}x{h}, {w * h / 1e6:.0f} megapixels; limit {MAX_PIXELS // 1_000_000})")
    return img


def load_rgb(source: Path | BinaryIO, min_side: int | None = None) -> tuple[Image.Image, PhotoInfo]:
    """Decode the first frame as upright 8-bit RGB.

    With ``min_side`` a JPEG is decoded at reduced scale (DCT scaling, Pillow's draft
    mode), as long as both sides stay at least ``min_side`` pixels: 8x less work for a
    12 MP photo that the model sees at 224 px. A path is opened with ``open_photo``'s
    limits (no FIFO or device, a size limit per kind, a time limit on every read).
    """
    if not isinstance(source, (str, Path)):
        return _load_still(source, min_side)
    kind = media_kind(source)
    if kind == "raw":
        from photoapp.core.media import raw

        return raw.load_rgb(Path(source), min_side)
    if kind == "video":  # the poster frame
        from photoapp.core.media import video

        frames, info = video.load_frames(Path(source), min_side, positions=(video.POSTER,))
        return frames[0], info
    with open_photo(source) as fh:
        return _load_still(fh, min_side, str(source))


def _load_still(source: BinaryIO, min_side: int | None, name: str = "") -> tuple[Image.Image, PhotoInfo]:
    img = _open(source, name)
    try:
        info = read_info(img)
        if min_side and img.format == "JPEG":
            img.draft("RGB", (min_side, min_side))
        img.seek(0)
        img.load()
        img = to_rgb(img)
        if info.orientation != 1:
            img = img.transpose(TRANSPOSE[info.orientation])
    except DecodeError:
        raise
    except FileNotFoundError:
        raise DecodeError("file vanished while it was being read") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        msg = str(exc)
        if "truncated" in msg.lower() or isinstance(exc, EOFError):
            raise DecodeError("file is truncated (incomplete download or copy?)") from None
        raise DecodeError(f"corrupt image data: {msg}") from None
    except MemoryError:
        raise DecodeError("not enough memory to decode this image") from None
    return img, info


def load_for_model(source: Path | BinaryIO, min_side: int | None = None) -> tuple[list[Image.Image], PhotoInfo]:
    """The pictures the model embeds for one file: the photo itself, or for a video a few
    frames spread through it (``video.SAMPLES``), whose middle one (the poster) fingerprints it."""
    if isinstance(source, (str, Path)) and media_kind(source) == "video":
        from photoapp.core.media import video

        return video.load_frames(Path(source), min_side)
    img, info = load_rgb(source, min_side)
    return [img], info


def decode_for_model(source: Path | BinaryIO, spec: PreprocessSpec) -> tuple[np.ndarray, PhotoInfo]:
    """Decode and preprocess one file for the embedding model: (n, C, H, W) for a video's
    n frames, (C, H, W) for anything else."""
    images, info = load_for_model(source, min_side=spec.smallest_decode_size())
    if info.kind == "video":
        return np.stack([spec.to_array(img) for img in images]), info
    return spec.to_array(images[0]), info
