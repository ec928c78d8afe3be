"""Camera facts from a photo's EXIF (Pillow): when, with what, at which settings.

``read_exif`` gives numbers for JSON (``photoapp show --json``); ``describe_exif`` gives the
same facts in the words the viewer's info panel and ``photoapp show`` print. A field the
file lacks, or records as 0 (some cameras write FNumber 0 for a manual lens), is left out:
a reader sees no empty rows. Broken EXIF gives an empty dict, never an error.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from PIL import Image

_EXIF_IFD = 0x8769
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_EXPOSURE, _FNUMBER, _ISO, _DATETIME_ORIGINAL = 0x829A, 0x829D, 0x8827, 0x9003
_OFFSET_ORIGINAL, _OFFSET = 0x9011, 0x9010
_FOCAL, _FOCAL_35, _LENS_MAKE, _LENS_MODEL = 0x920A, 0xA405, 0xA433, 0xA434
_SUBSEC_ORIGINAL, _SUBSEC, _BODY_SERIAL = 0x9291, 0x9290, 0xA431


def read_exif(path: str | os.PathLike) -> dict:
    """``taken`` (ISO 8601, with the zone when the camera recorded it), ``camera``, ``lens``,
    ``iso``, ``aperture`` (f-number), ``exposure`` (seconds), ``focal_length`` (mm) and
    ``focal_length_35mm``, each only when present."""
    if not os.path.isfile(path):  # a FIFO or device now at the photo's path would block the open
        return {}
    try:
        with Image.open(path) as img:
            exif = img.getexif()
            sub = exif.get_ifd(_EXIF_IFD)
    except Exception:  # noqa: BLE001 - not an image Pillow reads (RAW, video) or broken EXIF
        return {}
    facts = {
        "taken": _taken(sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME), sub.get(_OFFSET_ORIGINAL)),
        "camera": _camera(_text(exif.get(_MAKE)), _text(exif.get(_MODEL))),
        "lens": _camera(_text(sub.get(_LENS_MAKE)), _text(sub.get(_LENS_MODEL))),
        "iso": _number(sub.get(_ISO), int),
        "aperture": _number(sub.get(_FNUMBER), lambda v: round(float(v), 1)),
        "exposure": _number(sub.get(_EXPOSURE), float),
        "focal_length": _number(sub.get(_FOCAL), lambda v: round(float(v), 1)),
        "focal_length_35mm": _number(sub.get(_FOCAL_35), int),
    }
    return {k: v for k, v in facts.items() if v}


def read_shot(path: str | os.PathLike) -> tuple[float | None, str | None]:
    """(capture time in seconds with its sub-seconds, camera "model#serial"), for telling a
    burst (photoapp/core/duplicates): the time is the camera's local clock read as UTC (only
    differences between two shots of one camera matter). (None, None) when unknown."""
    if not os.path.isfile(path):
        return None, None
    try:
        with Image.open(path) as img:
            return shot_of(img.getexif())
    except Exception:  # noqa: BLE001 - RAW, video or broken EXIF: no burst evidence, nothing worse
        return None, None


def shot_of(exif: Image.Exif) -> tuple[float | None, str | None]:
    """``read_shot``'s facts from EXIF already read (the indexer reads a photo's EXIF once)."""
    sub = exif.get_ifd(_EXIF_IFD)
    when = None
    original = sub.get(_DATETIME_ORIGINAL)
    try:
        stamp = datetime.strptime(_text(original or exif.get(_DATETIME))[:19], "%Y:%m:%d %H:%M:%S")
        when = stamp.replace(tzinfo=UTC).timestamp()
        digits = "".join(ch for ch in _text(sub.get(_SUBSEC_ORIGINAL if original else _SUBSEC)) if ch.isdigit())
        if digits:
            when += int(digits) / 10 ** len(digits)
    except ValueError:
        pass
    model = _camera(_text(exif.get(_MAKE)), _text(exif.get(_MODEL)))
    serial = _text(sub.get(_BODY_SERIAL))
    return when, (f"{model}#{serial}" if serial else model) or None


def describe_exif(facts: dict) -> dict[str, str]:
    """``read_exif``'s facts as the info panel shows them: "f/5.6", "1/80 s", "107 mm"."""
    words = {}
    if facts.get("taken"):
        words["Taken"] = _taken_words(facts["taken"])
    for key, name in (("camera", "Camera"), ("lens", "Lens")):
        if facts.get(key):
            words[name] = facts[key]
    if facts.get("iso"):
        words["ISO"] = str(facts["iso"])
    if facts.get("aperture"):
        words["Aperture"] = f"f/{facts['aperture']:g}"
    if facts.get("exposure"):
        words["Shutter"] = _shutter(facts["exposure"])
    if facts.get("focal_length"):
        words["Focal length"] = f"{facts['focal_length']:g} mm"
        if facts.get("focal_length_35mm") and facts["focal_length_35mm"] != round(facts["focal_length"]):
            words["Focal length"] += f" ({facts['focal_length_35mm']} mm in 35 mm terms)"
    return words


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value or "").strip("\x00 ")


def _camera(make: str, model: str) -> str:
    """ "Canon EOS 350D", not "Canon Canon EOS 350D": the make only where the model lacks it."""
    if model and make and not model.lower().startswith(make.split()[0].lower()):
        return f"{make} {model}"
    return model or make


def _number(value, kind):
    try:
        number = kind(value[0] if isinstance(value, tuple) else value)
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    return number if number and number > 0 else None


def _taken(value, offset) -> str | None:
    """EXIF's "2008:01:22 03:28:22" (+ OffsetTimeOriginal "+02:00") as ISO 8601."""
    text = _text(value)
    try:
        when = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _text(offset)
    if len(zone) == 6 and zone[0] in "+-" and zone[3] == ":":
        return when.isoformat() + zone
    return when.isoformat()


def _taken_words(iso: str) -> str:
    when = datetime.fromisoformat(iso)
    text = f"{when.day} {when:%B %Y, %H:%M:%S}"  # "6 August 2007", not "06 August"
    if when.tzinfo is not None:
        offset = when.strftime("%z")  # +0200
        text += " UTC" + ("" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}")
    return text


def _shutter(seconds: float) -> str:
    """ "1/80 s" where the time is a whole fraction of a second (as cameras name them), else "0.4 s"."""
    if seconds < 1 and abs(1 / seconds - round(1 / seconds)) < 0.05:
        return f"1/{round(1 / seconds)} s"
    return f"{seconds:.3g} s"
