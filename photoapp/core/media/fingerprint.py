"""Perceptual fingerprints of a photo: what the duplicate finder compares.

- ``phash``/``dhash``: grey-level structure (64-bit each), as the photo stands.
- ``turn_phash``/``turn_dhash``/``turn``: the same hashes of the photo turned and mirrored
  into a canonical pose (landscape; the strongest odd low frequency of each axis made
  positive), and which of the 8 poses that took. A mirrored or 90/180/270-degree rotated
  copy has the same canonical pose, so its turn hashes match; the two ``turn`` values name
  how one photo turns into the other.
- ``grid``: an 8x8 grid of mean CIELAB colours (192 bytes): the colour layout that grey
  hashes cannot see (a colourway with its hues turned has the same grey layout).
- ``windows``: pHash and dHash of parts of the photo (``WINDOWS``: its centre and its
  corners at several scales). A crop of the photo, seen whole, hashes like the window it
  kept, so a crop that cuts far more than the full-frame radius allows is still found
  (photoapp/core/duplicates/crops.py).
- ``sharpness`` (variance of the Laplacian) and ``exposure`` (share of the tones neither
  crushed nor blown, 0..1): for choosing a burst's keeper.
- ``shot_time``/``camera``: when (EXIF time with sub-seconds) and with which camera (model
  and serial) the photo was taken, for telling a burst from a kind of scene.

They are computed by the indexer's decode workers from the upright RGB image that is
already decoded for the model, and stored in ``fingerprints`` (catalog migrations 3 and 10,
photoapp/core/store/fingerprints.py). Hashes are 64-bit; SQLite keeps them as signed
integers, numpy as uint64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Sharpness is measured with the short side scaled (box filter) to exactly this: the
# Laplacian's variance depends on scale, and a JPEG arrives draft-reduced while a WebP of
# the same picture arrives full size. Decoders must deliver at least this short side.
MIN_SIDE = 128
GRID = 8  # colour grid cells per side
VERSION = 3  # version 1 (before migration 10) lacks the turn hashes and grid, 2 (before 12) the windows


def _windows() -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) as shares of the width and height: the centre kept at 90,
    84, 78 and 72 % of each side, and each corner at 90, 84 and 78 %. A crop lands within
    about 3 % of a side of one of them: 0-14 bits from its hashes on shared/photos (crops
    8-28 % centred, 10-20 % from a corner), where distinct photos are 33+ bits apart."""
    out = [((1 - s) / 2, (1 - s) / 2, (1 + s) / 2, (1 + s) / 2) for s in (0.9, 0.84, 0.78, 0.72)]
    for s in (0.9, 0.84, 0.78):
        m = 1 - s
        out += [(0, 0, s, s), (m, 0, 1, s), (0, m, s, 1), (m, m, 1, 1)]
    return out


WINDOWS = _windows()


@dataclass(frozen=True)
class Fingerprint:
    phash: int  # unsigned 64-bit
    dhash: int
    sharpness: float  # variance of the Laplacian of the grey image; higher is sharper
    turn_phash: int | None = None
    turn_dhash: int | None = None
    turn: int | None = None  # the pose (see ``POSES``) that turned the photo canonical
    grid: bytes | None = None  # GRID x GRID x (L, a, b) as int8 (L halved)
    tone: float | None = None  # share of the chroma that lightness does not explain (0: toned)
    exposure: float | None = None
    shot_time: float | None = None  # seconds (naive local EXIF time), with sub-seconds
    camera: str | None = None  # "model#serial", or the model alone
    windows: bytes | None = None  # per ``WINDOWS``: pHash, dHash as little-endian uint64
    version: int = 1  # what ``compute`` makes: VERSION


# The 8 poses of a picture: (transpose, flip left-right, flip top-bottom), applied in that order.
POSES = [(t, h, v) for t in (0, 1) for h in (0, 1) for v in (0, 1)]


def apply_pose(a: np.ndarray, pose: int) -> np.ndarray:
    """``a`` (rows, cols, ...) put in ``pose``."""
    t, h, v = POSES[pose]
    if t:
        a = np.swapaxes(a, 0, 1)
    if h:
        a = a[:, ::-1]
    if v:
        a = a[::-1]
    return a


def relative_pose(pose_a: int, pose_b: int) -> int:
    """The pose that turns photo A into photo B, when both turned canonical by their poses."""
    return _RELATIVE[pose_a][pose_b]


def _relative(pose_a: int, pose_b: int) -> int:
    probe = np.arange(6).reshape(2, 3)
    target = _undo_pose(apply_pose(probe, pose_a), pose_b)
    for pose in range(len(POSES)):
        turned = apply_pose(probe, pose)
        if turned.shape == target.shape and np.array_equal(turned, target):
            return pose
    raise AssertionError("the poses form a group")


def _undo_pose(a: np.ndarray, pose: int) -> np.ndarray:
    t, h, v = POSES[pose]
    if v:
        a = a[::-1]
    if h:
        a = a[:, ::-1]
    if t:
        a = np.swapaxes(a, 0, 1)
    return a


_RELATIVE = [[_relative(a, b) for b in range(len(POSES))] for a in range(len(POSES))]


def describe_pose(pose: int) -> str:
    """ "mirrored", "rotated 90°", ... for a relative pose (0: as is). The words hold both
    ways (B is A rotated 90° one way, A is B rotated 90° the other), so a reason can be
    shown beside either photo."""
    names = {
        (0, 0, 0): "",
        (0, 1, 0): "mirrored",
        (0, 0, 1): "mirrored upside down",
        (0, 1, 1): "rotated 180°",
        (1, 0, 0): "mirrored and rotated 90°",
        (1, 1, 0): "rotated 90°",
        (1, 0, 1): "rotated 90°",
        (1, 1, 1): "mirrored and rotated 90°",
    }
    return names[POSES[pose]]


def compute(img, shot: tuple[float | None, str | None] = (None, None)) -> Fingerprint:
    """Fingerprint an RGB PIL image; ``shot`` is (EXIF time, camera) from ``exif.read_shot``.

    Everything but the sharpness is computed from a box-reduced copy (short side about
    2 x MIN_SIDE): the hashes look at 32x32 pixels at most, and the full-size resizes cost
    more than all the rest together."""
    sharpness = laplacian_variance(img.convert("L"))
    factor = max(1, min(img.width, img.height) // (2 * MIN_SIDE))
    reduced = img.reduce(factor) if factor > 1 else img
    grey = reduced.convert("L")
    small = np.asarray(grey.resize((32, 32), _LANCZOS()), dtype=np.float64)
    ph = _phash(small)
    pose = canonical_pose(small, img.width, img.height)
    tiny = np.asarray(grey.resize((36, 36), _LANCZOS()), dtype=np.float64)  # for the turned dHash
    return Fingerprint(
        ph,
        _dhash(grey),
        sharpness,
        _phash(apply_pose(small, pose)) if pose else ph,
        _dhash_array(apply_pose(tiny, pose)),
        pose,
        *colour_facts(reduced),
        exposure(grey),
        *shot,
        window_hashes(grey),
        VERSION,
    )


def window_hashes(grey) -> bytes:
    """pHash and dHash of each of ``WINDOWS`` of a grey image (as ``_phash``/``_dhash``
    would hash that part of it cut out and saved). The parts are cut from a 128 x 128 copy
    (box filter): the hashes look at 32 x 32 pixels of a part, and 16 full-size resizes
    would cost more than the rest of the fingerprint."""
    from PIL import Image

    side = 4 * 32
    base = grey.resize((side, side), Image.Resampling.BOX) if grey.size != (side, side) else grey
    out = []
    for left, top, right, bottom in WINDOWS:
        part = base.crop((round(left * side), round(top * side), round(right * side), round(bottom * side)))
        out += [_phash(np.asarray(part.resize((32, 32), _LANCZOS()), dtype=np.float64)), _dhash(part)]
    return np.array(out, dtype=np.uint64).astype("<u8").tobytes()


def windows_array(blob: bytes) -> np.ndarray:
    """Stored window hashes as uint64 (len(WINDOWS), 2): pHash, dHash."""
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64).reshape(-1, 2)


def compute_or_none(img, shot=(None, None)) -> Fingerprint | None:
    """For the indexer: a fingerprint failure must never cost the photo its embedding."""
    try:
        return compute(img, shot)
    except Exception:  # noqa: BLE001 - the duplicate finder backfills what is missing
        return None


def _LANCZOS():  # noqa: N802 - a constant, looked up late (PIL is imported where used)
    from PIL import Image

    return Image.Resampling.LANCZOS


def _dct2(a: np.ndarray) -> np.ndarray:
    from scipy.fftpack import dct  # scipy: only the decode workers and the backfill need it

    return dct(dct(a, axis=0), axis=1)


def _bits(b: np.ndarray) -> int:
    return int("".join("1" if x else "0" for x in b.ravel()), 2)


def _phash(small: np.ndarray) -> int:
    """imagehash.phash of a 32x32 grey array (the same bits)."""
    low = _dct2(small)[:8, :8]
    return _bits(low > np.median(low))


def _dhash(grey) -> int:
    """imagehash.dhash (the same bits)."""
    return _bits(_dhash_bits(np.asarray(grey.resize((9, 8), _LANCZOS()), dtype=np.float64)))


def _dhash_bits(a: np.ndarray) -> np.ndarray:
    return a[:, 1:] > a[:, :-1]


def _dhash_array(a: np.ndarray) -> int:
    """A dHash of a grey array already small: box-averaged to 8 rows x 9 columns."""
    rows = np.array_split(np.arange(a.shape[0]), 8)
    cols = np.array_split(np.arange(a.shape[1]), 9)
    cells = np.array([[a[np.ix_(r, c)].mean() for c in cols] for r in rows])
    return _bits(_dhash_bits(cells))


def canonical_pose(small: np.ndarray, width: int, height: int) -> int:
    """The pose that turns the picture canonical: landscape (or, near square, more
    horizontal than vertical detail), then the largest odd-frequency DCT coefficient of each
    axis positive (mirroring an axis flips the sign of exactly its odd frequencies)."""
    c = _dct2(small)[:8, :8]
    if abs(width - height) > 0.02 * max(width, height):
        t = int(height > width)
    else:  # square: coefficients c[u, v] of v (across) vs u (down) frequencies
        t = int(np.sum(np.tril(c, -1) ** 2) > np.sum(np.triu(c, 1) ** 2))
    if t:
        c = c.T
    odd = np.arange(8) % 2 == 1
    across = c[np.ix_(~odd, odd)]  # odd across, even down: only a left-right mirror flips them
    down = c[np.ix_(odd, ~odd)]
    h = int(across.flat[np.argmax(np.abs(across))] < 0)
    v = int(down.flat[np.argmax(np.abs(down))] < 0)
    return POSES.index((t, h, v))


def colour_facts(img) -> tuple[bytes, float]:
    """(GRID x GRID mean CIELAB colours (D65) as int8: L/2, a, b; the tone share).

    The tone share is how much of the pixels' chroma is not a function of their lightness:
    near 0 for a sepia or other toned print (and a grayscale one), clearly more for a
    colour photo, whatever its hues."""
    from PIL import Image

    rgb = np.asarray(img.convert("RGB").resize((GRID * 4, GRID * 4), Image.Resampling.BOX), dtype=np.float64) / 255
    pixels = _lab(rgb)
    lab = pixels.reshape(GRID, 4, GRID, 4, 3).mean(axis=(1, 3))
    lab[..., 0] /= 2
    grid = np.clip(np.round(lab), -128, 127).astype(np.int8).tobytes()
    light = pixels[..., 0].ravel()
    z = (pixels[..., 1] + 1j * pixels[..., 2]).ravel()
    bins = np.clip((light / 100 * 16).astype(int), 0, 15)
    counts = np.bincount(bins, minlength=16)
    mean = (np.bincount(bins, z.real, 16) + 1j * np.bincount(bins, z.imag, 16)) / np.maximum(counts, 1)
    energy = float(np.sum(np.abs(z) ** 2))
    tone = float(np.sum(np.abs(z - mean[bins]) ** 2)) / energy if energy > 1e-6 else 0.0
    return grid, tone


def grid_array(blob: bytes) -> np.ndarray:
    """A stored grid as float (GRID, GRID, 3): L (0..100), a, b."""
    lab = np.frombuffer(blob, dtype=np.int8).astype(np.float64).reshape(GRID, GRID, 3)
    lab[..., 0] *= 2
    return lab


_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_XYZ_TO_SRGB = np.linalg.inv(_SRGB_TO_XYZ)
_WHITE = np.array([0.95047, 1.0, 1.08883])  # D65


def _lab(rgb: np.ndarray) -> np.ndarray:
    return lab_of_linear(np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4))


def lab_of_linear(lin: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB values (..., 3)."""
    xyz = np.clip(lin @ _SRGB_TO_XYZ.T / _WHITE, 0, None)
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def linear_of_lab(lab: np.ndarray) -> np.ndarray:
    """Linear sRGB values (..., 3) of CIELAB (D65) colours, out-of-gamut ones clipped at 0."""
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 0.2069, f**3, (f - 16 / 116) / 7.787) * _WHITE
    return np.clip(xyz @ _XYZ_TO_SRGB.T, 0, None)


def exposure(grey) -> float:
    """Share of pixels neither crushed (< 8) nor blown (> 247), times how close the mean
    tone is to mid-grey: 1 for a well-exposed frame, lower for a dark or burnt one."""
    a = np.asarray(grey.resize((64, 64)), dtype=np.float64)
    usable = float(np.mean((a >= 8) & (a <= 247)))
    return usable * (1.0 - abs(a.mean() - 118.0) / 255.0)


def laplacian_variance(grey) -> float:
    """Variance of the 4-neighbour Laplacian: blur and heavy smoothing lower it."""
    from PIL import Image

    w, h = grey.size
    if min(w, h) > MIN_SIDE:
        scale = MIN_SIDE / min(w, h)
        grey = grey.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BOX)
    a = np.asarray(grey, dtype=np.float32)
    if a.shape[0] < 3 or a.shape[1] < 3:
        return 0.0
    lap = a[1:-1, :-2] + a[1:-1, 2:] + a[:-2, 1:-1] + a[2:, 1:-1] - 4.0 * a[1:-1, 1:-1]
    return float(lap.var())


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def popcount(x: np.ndarray) -> np.ndarray:
    """Set bits per uint64 element (numpy >= 2 has it built in)."""
    x = np.asarray(x, dtype=np.uint64)
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return table[x.view(np.uint8).reshape(*x.shape, 8)].sum(axis=-1)
