"""When and where a photo was taken, from the values its metadata records.

Pure parsing of the fields every reader finds (Pillow's EXIF for stills, exifread for
RAW files, the container of a video, an XMP sidecar): no file is opened here. Anything
odd reads as unknown, never as an error: a date before 1900 or in the future, an offset
beyond +-14 h, a position at (0, 0) (what cameras write without a fix), out of range or
NaN.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

FIRST_YEAR = 1900
# A clock set a little ahead, or a time zone the camera did not know, must not make a
# photo "from the future"; a day of slack.
FUTURE_SLACK = 86400.0
# Tags, by number (Pillow's EXIF and its Exif IFD / GPS IFD).
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, SUBSEC, OFFSET = 0x0132, 0x9290, 0x9010
DATETIME_ORIGINAL, SUBSEC_ORIGINAL, OFFSET_ORIGINAL = 0x9003, 0x9291, 0x9011


class Source:
    """Where a capture time came from (the catalog's ``taken_source``)."""

    EXIF = "exif"  # the camera's DateTimeOriginal (or DateTime)
    VIDEO = "video"  # a video container's creation time
    FILE = "file"  # the file's modification time: a guess, shown as such


@dataclass(frozen=True)
class CaptureTime:
    """``timestamp``: POSIX seconds with the sub-seconds (the true instant when the zone is
    known; else the wall clock read as this computer's local time, as before zones were
    read). ``local``: the wall clock where it was taken, ISO 8601 with milliseconds
    ("2008-06-14T15:22:01.250"), what dates in words are matched against. ``offset``:
    minutes east of UTC, None when the camera did not say."""

    timestamp: float
    local: str
    offset: int | None
    source: str

    def iso(self) -> str:
        """ISO 8601 with the zone where known: "2008-06-14T15:22:01.250+02:00"."""
        if self.offset is None:
            return self.local
        sign = "+" if self.offset >= 0 else "-"
        return f"{self.local}{sign}{abs(self.offset) // 60:02d}:{abs(self.offset) % 60:02d}"


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip("\x00 ")


def parse_offset(value) -> int | None:
    """EXIF's "+02:00" (or "+0200", "Z") as minutes east of UTC; None if absent or odd."""
    text = _text(value)
    if text in ("Z", "z"):
        return 0
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    if minutes > 14 * 60 or int(m.group(3)) % 15:
        return None
    return minutes if m.group(1) == "+" else -minutes


def _subsec(value) -> float:
    digits = re.match(r"\d+", _text(value))
    return float("0." + digits.group()[:6]) if digits else 0.0


def from_wall_clock(when: datetime, offset: int | None, source: str, now: float | None = None) -> CaptureTime | None:
    """A naive wall-clock ``when`` with its zone offset (minutes, or None: unknown)."""
    if when.year < FIRST_YEAR:
        return None
    try:
        if offset is not None:
            stamp = when.replace(tzinfo=timezone(timedelta(minutes=offset))).timestamp()
        else:
            stamp = when.timestamp()  # this computer's local time, as EXIF without a zone means
    except (OverflowError, OSError, ValueError):
        return None
    if stamp > (time.time() if now is None else now) + FUTURE_SLACK:
        return None
    local = when.isoformat(timespec="milliseconds")
    return CaptureTime(stamp, local, offset, source)


def exif_time(value, subsec=None, offset=None, now: float | None = None) -> CaptureTime | None:
    """EXIF's "2008:06:14 15:22:01" with SubSecTime "25" and OffsetTime "+02:00"."""
    text = _text(value)
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            when = datetime.strptime(text[: len(datetime(2000, 1, 1).strftime(fmt))], fmt)
            break
        except ValueError:
            continue
    else:
        return None
    when += timedelta(seconds=_subsec(subsec))
    return from_wall_clock(when, parse_offset(offset), Source.EXIF, now)


def exif_capture(exif, now: float | None = None) -> CaptureTime | None:
    """The capture time of a Pillow ``Image.Exif``: DateTimeOriginal with its SubSecTimeOriginal
    and OffsetTimeOriginal, else DateTime with SubSecTime and OffsetTime."""
    try:
        sub = exif.get_ifd(EXIF_IFD)
    except Exception:  # noqa: BLE001 - a broken Exif IFD: IFD0 may still have a date
        sub = {}
    found = exif_time(sub.get(DATETIME_ORIGINAL), sub.get(SUBSEC_ORIGINAL), sub.get(OFFSET_ORIGINAL), now)
    return found or exif_time(exif.get(DATETIME), sub.get(SUBSEC), sub.get(OFFSET), now)


def container_time(value, now: float | None = None) -> CaptureTime | None:
    """A video container's creation time (ISO 8601, usually UTC with a "Z"); encoders'
    placeholder dates (1904, 1970) count as none. A time with its zone (QuickTime's
    creationdate) keeps that zone; creation_time's "Z" gives the wall clock in UTC."""
    text = _text(value).replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":" and "T" in text:  # +0200 -> +02:00
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.year < 1971:
        return None
    offset = None
    if when.tzinfo is not None:
        delta = when.utcoffset()
        offset = round(delta.total_seconds() / 60) if delta is not None else None
        if offset is not None and abs(offset) > 14 * 60:
            return None
        when = when.replace(tzinfo=None)
    return from_wall_clock(when, offset, Source.VIDEO, now)


def file_time(mtime: float) -> CaptureTime | None:
    """The file's modification time: the fallback, marked as such."""
    try:
        when = datetime.fromtimestamp(mtime)
    except (OverflowError, OSError, ValueError):
        return None
    return CaptureTime(mtime, when.isoformat(timespec="milliseconds"), None, Source.FILE)


# -- where ---------------------------------------------------------------------------------
def valid_position(lat, lon) -> tuple[float, float] | None:
    """(lat, lon) rounded to 1e-6 degrees (~10 cm), or None for no position: NaN, out of
    range, or (0, 0) (cameras write it when they have no fix)."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    if abs(lat) < 1e-6 and abs(lon) < 1e-6:
        return None
    return round(lat, 6), round(lon, 6)


def _degrees(value) -> float | None:
    """(degrees, minutes, seconds) rationals, or one number, as decimal degrees."""
    try:
        if isinstance(value, (list, tuple)):
            parts = [float(v) for v in value] + [0.0, 0.0]
            return parts[0] + parts[1] / 60 + parts[2] / 3600
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def exif_position(gps: dict) -> tuple[float, float] | None:
    """The position of an EXIF GPS IFD (tags 1-4: N/S, latitude, E/W, longitude)."""
    if not gps:
        return None
    lat, lon = _degrees(gps.get(2)), _degrees(gps.get(4))
    if lat is None or lon is None:
        return None
    if _text(gps.get(1)).upper().startswith("S"):
        lat = -lat
    if _text(gps.get(3)).upper().startswith("W"):
        lon = -lon
    return valid_position(lat, lon)


def pillow_position(exif) -> tuple[float, float] | None:
    try:
        return exif_position(exif.get_ifd(GPS_IFD))
    except Exception:  # noqa: BLE001 - a broken GPS IFD is no position
        return None


_ISO6709 = re.compile(r"([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


def iso6709_position(text) -> tuple[float, float] | None:
    """A video's location, ISO 6709 ("+48.8584+002.2945+035.000/")."""
    m = _ISO6709.match(_text(text))
    return valid_position(m.group(1), m.group(2)) if m else None


_XMP_COORD = re.compile(r"^\s*(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?(?:,(\d+(?:\.\d+)?))?\s*([NSEW])\s*$", re.I)


def xmp_coordinate(text) -> float | None:
    """XMP's exif:GPSLatitude "48,51.508N" (degrees, decimal minutes; or d,m,s) as degrees."""
    m = _XMP_COORD.match(_text(text))
    if not m:
        return None
    degrees = float(m.group(1)) + float(m.group(2) or 0) / 60 + float(m.group(3) or 0) / 3600
    return -degrees if m.group(4).upper() in "SW" else degrees


_XMP_GPS = re.compile(r"exif:GPS(Latitude|Longitude)\s*(?:=\s*[\"']([^\"']+)[\"']|>\s*([^<]+)<)")


def xmp_position(xml: str) -> tuple[float, float] | None:
    """exif:GPSLatitude / exif:GPSLongitude of an XMP packet (attribute or element form)."""
    found = {}
    for m in _XMP_GPS.finditer(xml):
        found.setdefault(m.group(1), xmp_coordinate(m.group(2) or m.group(3)))
    lat, lon = found.get("Latitude"), found.get("Longitude")
    return valid_position(lat, lon) if lat is not None and lon is not None else None
