"""Photos carrying EXIF capture times and GPS positions, made with Pillow (for the tests)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    return (d, m, round((value - d - m / 60) * 3600, 4))


def exif_for(taken: str | None = None, subsec: str | None = None, offset: str | None = None, gps=None) -> Image.Exif:
    """EXIF with DateTimeOriginal ("2019:06:14 15:22:01"), SubSecTimeOriginal, OffsetTimeOriginal
    and a GPS position (lat, lon) in degrees/minutes/seconds."""
    exif = Image.Exif()
    sub = {}
    if taken is not None:
        sub[0x9003] = taken
    if subsec is not None:
        sub[0x9291] = subsec
    if offset is not None:
        sub[0x9011] = offset
    if sub:
        exif[0x8769] = sub
    if gps is not None:
        lat, lon = gps
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lon >= 0 else "W", 4: dms(lon)}
    return exif


def photo(path: Path, colour=(120, 90, 80), size=(64, 48), **exif) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, exif=exif_for(**exif))
    return path


def indexed_library(root: Path, model: str, photos: dict[str, dict]) -> Path:
    """A library at ``root/library`` of the photos ``{name: photo() keywords}`` made in
    ``root/p`` and indexed with ``model``."""
    from photoapp.core.library import Library

    for name, kw in photos.items():
        photo(root / "p" / name, **kw)
    path = root / "library"
    with Library(path, model=model) as lib:
        lib.index_folders([str(root / "p")])
    return path


def gallery_names(window) -> set[str]:
    """The file names the window's gallery lists."""
    return {Path(r.path).name for r in window.model.rows()}
