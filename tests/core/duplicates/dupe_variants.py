"""Generated variants of real photographs, with the ground truth of which are duplicates.

Shared by the duplicate tests and ``benchmarks/dupes_scale.py --variants``. Variants are
made from a half-scale decode (JPEG DCT scaling: fast), so most are also "resized".

- ``EDITS``: copies of the same picture the near tier must find (recompressions, resizes,
  formats, mild colour edits, grayscale and sepia, mirror and rotations, crops).
- ``TRAPS``: different pictures with the photo's grey layout (colourways: its hues turned)
  that must never be offered; ``toy_traps`` draws toy-domain shapes (../shared/toy-domain.md)
  of other colours and positions, the demo library's collision.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from photoapp.core.media import fingerprint
from photoapp.core.media.decoding import load_rgb
from photoapp.core.media.scanner import file_hash
from photoapp.core.store.catalog import Photo

Edit = Callable[[Image.Image], Image.Image]


def _crop(share: float, corner: bool = False) -> Edit:
    def cut(img: Image.Image) -> Image.Image:
        w, h = img.size
        dx, dy = round(w * share / 2), round(h * share / 2)
        if corner:  # all of it off the top left
            return img.crop((2 * dx, 2 * dy, w, h))
        return img.crop((dx, dy, w - dx, h - dy))

    return cut


def _white_balance(r: float, b: float) -> Edit:
    def shift(img: Image.Image) -> Image.Image:
        a = np.asarray(img, dtype=np.float64) * np.array([r, 1.0, b])
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))

    return shift


def _sepia(img: Image.Image) -> Image.Image:
    return ImageOps.colorize(img.convert("L"), (30, 18, 8), (255, 240, 200), mid=(160, 110, 60))


def _sepia_matrix(img: Image.Image) -> Image.Image:
    """The classic sepia matrix (as many editors and web filters apply it): clips in the
    highlights, so brighter prints turn yellower."""
    a = np.asarray(img, dtype=np.float64)
    m = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    return Image.fromarray(np.clip(a @ m.T, 0, 255).astype(np.uint8))


def hue_turn(degrees: float) -> Edit:
    """A colourway: every hue turned by ``degrees`` (the same layout of lights and darks)."""

    def turn(img: Image.Image) -> Image.Image:
        h, s, v = img.convert("HSV").split()
        h = h.point(lambda x: (x + round(degrees * 256 / 360)) % 256)
        return Image.merge("HSV", (h, s, v)).convert("RGB")

    return turn


# name -> (edit of the half-size decode, save options). Order matters: tests take the first ones.
EDITS: dict[str, tuple[Edit, dict]] = {
    "half": (lambda im: im, {"quality": 90}),
    "q55": (lambda im: im, {"quality": 55}),
    "webp": (lambda im: im, {"quality": 75}),
    "png": (lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS), {}),
    "crop4": (_crop(0.04), {"quality": 90}),
    "bright": (lambda im: ImageEnhance.Brightness(im).enhance(1.15), {"quality": 90}),
    "colour": (lambda im: ImageEnhance.Color(im).enhance(1.25), {"quality": 90}),
    "mirror": (lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), {"quality": 90}),
    "rot90": (lambda im: im.transpose(Image.Transpose.ROTATE_270), {"quality": 90}),  # 90° clockwise
    "rot180": (lambda im: im.transpose(Image.Transpose.ROTATE_180), {"quality": 90}),
    "rot270": (lambda im: im.transpose(Image.Transpose.ROTATE_90), {"quality": 90}),
    "grey": (lambda im: im.convert("L").convert("RGB"), {"quality": 90}),
    "sepia": (_sepia, {"quality": 90}),
    "desat": (lambda im: ImageEnhance.Color(im).enhance(0.6), {"quality": 90}),
    "warm": (_white_balance(1.08, 0.88), {"quality": 90}),
    "cool": (_white_balance(0.92, 1.1), {"quality": 90}),
    "dark": (lambda im: ImageEnhance.Brightness(im).enhance(0.85), {"quality": 85}),
    "contrast": (lambda im: ImageEnhance.Contrast(im).enhance(1.15), {"quality": 85}),
    "small": (lambda im: im.resize((max(64, im.width // 3), max(64, im.height // 3))), {"quality": 80}),
    "mirror_q60": (
        lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).resize((im.width * 2 // 3, im.height * 2 // 3)),
        {"quality": 60},
    ),
    "crop8": (_crop(0.08), {"quality": 90}),
    "crop_corner5": (_crop(0.05, corner=True), {"quality": 90}),
    "crop12": (_crop(0.12), {"quality": 90}),
    "crop16": (_crop(0.16), {"quality": 90}),
    "crop20": (_crop(0.20), {"quality": 90}),
    "crop_corner10": (_crop(0.10, corner=True), {"quality": 90}),
    "crop_corner15": (_crop(0.15, corner=True), {"quality": 90}),
    "sepia_matrix": (_sepia_matrix, {"quality": 90}),
}
FILE_EDITS = ("copy", "exif")  # byte copies: the exact tier
CROPS = ("crop8", "crop_corner5", "crop12", "crop16", "crop20", "crop_corner10", "crop_corner15")
TRAPS: dict[str, Edit] = {
    "hue60": hue_turn(60),
    "hue120": hue_turn(120),
    "hue180": hue_turn(180),
}


def has_colour(fp: fingerprint.Fingerprint) -> bool:
    """Whether a photo has colours a hue turn changes: its colourways of a black-and-white
    (or nearly grey) photo are the same picture, not traps."""
    from photoapp.core.duplicates import colour

    return colour.colours(fingerprint.grid_array(fp.grid), fp.tone).rms >= colour.NEUTRAL


def with_exif(src: Path, dst: Path) -> None:
    """The same JPEG bytes with an EXIF block added: identical pixels, different file (the
    original is then its EXIF-stripped copy)."""
    exif = Image.Exif()
    exif[0x0110] = "Variant Camera"
    payload = b"Exif\x00\x00" + exif.tobytes()
    data = src.read_bytes()
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    dst.write_bytes(data[:2] + segment + data[2:])


def half_decode(src: Path) -> Image.Image:
    """The photo decoded at half size (JPEG DCT scaling), as the variants are made from."""
    img = Image.open(src)
    img.draft("RGB", (img.width // 2, img.height // 2))
    return img.convert("RGB")


def make_variants(src: Path, folder: Path, edits: tuple[str, ...] | None = None) -> list[Path]:
    """Write the original, its byte copies and every edit of ``src`` into ``folder``;
    returns their paths (original, copy, exif, then the edits in ``EDITS`` order)."""
    return [path for path, _ in make_family(src, folder, edits)]


def make_family(src: Path, folder: Path, edits: tuple[str, ...] | None = None) -> list[tuple[Path, str]]:
    """(path, kind) of the original ("original"), byte copies and edits of ``src``."""
    stem = src.stem
    original = folder / src.name
    shutil.copy2(src, original)
    out = [(original, "original"), (folder / f"{stem}_copy.jpg", "copy"), (folder / f"{stem}_exif.jpg", "exif")]
    shutil.copyfile(src, out[1][0])
    with_exif(src, out[2][0])
    half = half_decode(src)
    for name in edits if edits is not None else EDITS:
        edit, options = EDITS[name]
        path = folder / f"{stem}_{name}.{'png' if name == 'png' else 'webp' if name == 'webp' else 'jpg'}"
        edit(half).save(path, **options)
        out.append((path, name))
    return out


def make_traps(src: Path, folder: Path) -> list[tuple[Path, str]]:
    """(path, trap) of the colourways of ``src``: each is a different picture."""
    half = half_decode(src)
    out = []
    for name, turn in TRAPS.items():
        path = folder / f"{src.stem}_{name}.jpg"
        turn(half).save(path, quality=90)
        out.append((path, name))
    return out


def toy_traps(folder: Path, seed: int = 0) -> list[tuple[Path, str]]:
    """For every shape and background, one picture in each toy colour (photoapp/toy/domain.py,
    the shipped model's world), each at its own place and size: 36 different pictures,
    none a copy of another."""
    from photoapp.toy.domain import COLOURS, SHAPES, ToyClass, render

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for shape in SHAPES:
        for background in ("white", "black"):
            for colour in COLOURS:
                path = folder / f"toy_{shape}_{background}_{colour}_{seed}.jpg"
                render(ToyClass(colour, shape, background), rng).save(path, quality=int(rng.integers(80, 96)))
                out.append((path, "toy"))
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


def prints_of(photos: list[Photo], fps: list[fingerprint.Fingerprint]):
    """(Prints, colour source) as the catalog would give them for ``catalogue``'s output."""
    import numpy as np

    from photoapp.core.store.fingerprints import Prints, windows_of

    def column(name, dtype, missing):
        return np.array([missing if getattr(f, name) is None else getattr(f, name) for f in fps], dtype=dtype)

    prints = Prints(
        np.array([p.id for p in photos], dtype=np.int64),
        column("phash", np.uint64, 0),
        column("dhash", np.uint64, 0),
        column("sharpness", np.float64, np.nan),
        column("turn_phash", np.uint64, 0),
        column("turn_dhash", np.uint64, 0),
        column("turn", np.int64, -1),
        column("exposure", np.float64, np.nan),
        column("shot_time", np.float64, np.nan),
        [f.camera for f in fps],
        windows_of([f.windows for f in fps]),
    )
    grids = {p.id: (f.grid, f.tone) for p, f in zip(photos, fps) if f.grid is not None}
    return prints, lambda ids: {i: grids[i] for i in ids if i in grids}


def camera_exif(second: int, subsec: str, serial: str = "A1") -> Image.Exif:
    """EXIF of a Canon body (serial ``serial``) at 10:00:``second``.``subsec``."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 350D"
    sub = exif.get_ifd(0x8769)
    sub[0x9003], sub[0x9291], sub[0xA431] = f"2024:05:01 10:00:{second:02d}", subsec, serial
    return exif


def burst_frames(src: Path, folder: Path) -> list[Path]:
    """Three frames of one burst: the camera pans across ``src`` within about a second."""
    picture = Image.open(src).convert("RGB")
    w, h = picture.size
    out = []
    for k, (dx, second, subsec) in enumerate([(0.0, 1, "10"), (0.12, 1, "55"), (0.24, 2, "30")]):
        path = folder / f"burst {k}.jpg"
        picture.crop((int(w * dx), 0, int(w * (dx + 0.7)), h)).save(path, quality=92, exif=camera_exif(second, subsec))
        out.append(path)
    return out


def copy_and_burst_folder(shared: Path, folder: Path, edits: dict[str, Edit]) -> Path:
    """``folder`` with dune.jpg, "dune NAME.jpg" for every edit, and a three-frame burst."""
    folder.mkdir(parents=True, exist_ok=True)
    dune = Image.open(shared / "Dune.jpg").convert("RGB")
    dune.save(folder / "dune.jpg", quality=92)
    for name, edit in edits.items():
        edit(dune).save(folder / f"dune {name}.jpg", quality=90)
    burst_frames(shared / "Garden.jpg", folder)
    return folder


def near_groups(rows: list[tuple[str, str]], settings=None):
    """The exact + near groups of the files ``rows`` (path, kind), as ``duplicates.find``
    would form them (colour guard, crops and their proportions)."""
    from photoapp.config import DupeSettings
    from photoapp.core.duplicates import finder, near

    photos, fps = catalogue([p for p, _ in rows])
    prints, colours = prints_of(photos, fps)
    guard = near.guard_for(colours, prints.ids, prints.turn, (prints.phash, prints.dhash, prints.windows))
    s = settings or DupeSettings()
    by_id = {p.id: p for p in photos}
    pairs = finder.exact_pairs(photos) + finder.near_pairs(prints, s.near_max_bits, None, colours, guard, by_id)
    return finder.build_groups(finder.link(pairs, s.group_cap, guard), by_id)


def old_catalog(path: Path, version: int, fingerprint_row: str) -> None:
    """A catalog as Photoapp left it at schema ``version``: one photo (/p/a.jpg, id 1) and
    its fingerprint (``fingerprint_row``: "(columns) VALUES (...)")."""
    import sqlite3

    from photoapp.core.store import catalog as catalog_module

    db = sqlite3.connect(path)
    for step in range(1, version + 1):
        for statement in catalog_module._sql_statements(catalog_module.MIGRATIONS.get(step, "")):
            db.execute(statement)
    db.execute("INSERT INTO photos(id, path, size, mtime, hash, added) VALUES (1, '/p/a.jpg', 1, 0, 'h', 0)")
    db.execute(f"INSERT INTO fingerprints{fingerprint_row}")
    db.execute(f"PRAGMA user_version={version}")
    db.commit()
    db.close()
