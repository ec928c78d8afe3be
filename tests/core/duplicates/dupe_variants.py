"""Generated variants of real photographs, with the ground truth of which are duplicates.

Shared by the duplicate tests and ``benchmarks/dupes_scale.py --variants``. Variants are
made from a half-scale decode (JPEG DCT scaling: fast), so most are also "resized".
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PIL import Image, ImageEnhance

from photoapp.core.media import fingerprint
from photoapp.core.media.decoding import load_rgb
from photoapp.core.media.scanner import file_hash
from photoapp.core.store.catalog import Photo

# name -> (how, tier it must be found in)
VARIANTS = ("exact", "exif", "half", "q55", "webp", "png", "crop4", "bright", "colour")


def with_exif(src: Path, dst: Path) -> None:
    """The same JPEG bytes with an EXIF block added: identical pixels, different file (the
    original is then its EXIF-stripped copy)."""
    exif = Image.Exif()
    exif[0x0110] = "Variant Camera"
    payload = b"Exif\x00\x00" + exif.tobytes()
    data = src.read_bytes()
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    dst.write_bytes(data[:2] + segment + data[2:])


def make_variants(src: Path, folder: Path) -> list[Path]:
    """Write every variant of ``src`` into ``folder``; returns their paths (original first)."""
    stem = src.stem
    original = folder / src.name
    shutil.copy2(src, original)
    out = [original, folder / f"{stem}_copy.jpg", folder / f"{stem}_exif.jpg"]
    shutil.copyfile(src, out[1])
    with_exif(src, out[2])
    img = Image.open(src)
    img.draft("RGB", (img.width // 2, img.height // 2))
    half = img.convert("RGB")
    w, h = half.size
    dx, dy = int(w * 0.02), int(h * 0.02)  # 4 % of each dimension in all
    made = {
        "half.jpg": (half, {"quality": 90}),
        "q55.jpg": (half, {"quality": 55}),
        "webp.webp": (half, {"quality": 75}),
        "png.png": (half.resize((w // 2, h // 2), Image.Resampling.LANCZOS), {}),
        "crop4.jpg": (half.crop((dx, dy, w - dx, h - dy)), {"quality": 90}),
        "bright.jpg": (ImageEnhance.Brightness(half).enhance(1.15), {"quality": 90}),
        "colour.jpg": (ImageEnhance.Color(half).enhance(1.25), {"quality": 90}),
    }
    for suffix, (picture, options) in made.items():
        path = folder / f"{stem}_{suffix}"
        picture.save(path, **options)
        out.append(path)
    return out


def build_set(photos: list[Path], folder: Path, n_families: int) -> tuple[dict[str, int], list[Path]]:
    """Families of variants for the first ``n_families`` photos, the rest as distinct photos.

    Returns (path -> family number, or -1 for a distinct photo), and the exact-copy pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    truth: dict[str, int] = {}
    exact: list[Path] = []
    for family, src in enumerate(photos[:n_families]):
        paths = make_variants(src, folder)
        truth.update({str(p): family for p in paths})
        exact.append(paths[1])
    for src in photos[n_families:]:
        shutil.copy2(src, folder / src.name)
        truth[str(folder / src.name)] = -1
    return truth, exact


def pair_scores(groups: list[list[str]], truth: dict[str, int]) -> tuple[float, float]:
    """Pairwise precision and recall of predicted groups against the families."""
    predicted = {frozenset((a, b)) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]}
    families: dict[int, list[str]] = {}
    for path, fam in truth.items():
        if fam >= 0:
            families.setdefault(fam, []).append(path)
    actual = {frozenset((a, b)) for g in families.values() for i, a in enumerate(g) for b in g[i + 1 :]}
    hit = len(predicted & actual)
    return (hit / len(predicted) if predicted else 1.0), (hit / len(actual) if actual else 1.0)


def catalogue(paths: list[str]) -> tuple[list[Photo], list[fingerprint.Fingerprint]]:
    """What the indexer stores for ``paths`` (photo rows with ids 1..n, fingerprints),
    computed the way its decode worker does."""
    photos, fps = [], []
    for i, p in enumerate(paths, 1):
        img, info = load_rgb(Path(p), min_side=fingerprint.MIN_SIDE)
        fps.append(fingerprint.compute(img))
        st = os.stat(p)
        photos.append(
            Photo(
                i,
                p,
                None,
                st.st_size,
                st.st_mtime,
                file_hash(p),
                info.width,
                info.height,
                None,
                0,
                None,
                1,
                info.format,
                0.0,
            )
        )
    return photos, fps
