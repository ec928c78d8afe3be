"""Perceptual fingerprints of a photo: pHash, dHash and a sharpness score.

They are computed by the indexer's decode workers from the upright RGB image that is
already decoded for the model (JPEG draft mode keeps both sides >= the model's input,
far more than the 32x32 a pHash looks at), and stored in ``fingerprints`` (catalog
migration 3). Hashes are 64-bit; SQLite keeps them as signed integers, numpy as uint64.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

# Sharpness is measured with the short side scaled (box filter) to exactly this: the
# Laplacian's variance depends on scale, and a JPEG arrives draft-reduced while a WebP of
# the same picture arrives full size. Decoders must deliver at least this short side.
MIN_SIDE = 128
_SIGN = 1 << 63


@dataclass(frozen=True)
class Fingerprint:
    phash: int  # unsigned 64-bit
    dhash: int
    sharpness: float  # variance of the Laplacian of the grey image; higher is sharper


def compute(img) -> Fingerprint:
    """Fingerprint an RGB PIL image."""
    import imagehash  # pulls in scipy: only the decode workers and the backfill need it

    grey = img.convert("L")
    return Fingerprint(_to_int(imagehash.phash(grey)), _to_int(imagehash.dhash(grey)), laplacian_variance(grey))


def compute_or_none(img) -> Fingerprint | None:
    """For the indexer: a fingerprint failure must never cost the photo its embedding."""
    try:
        return compute(img)
    except Exception:  # noqa: BLE001 - the duplicate finder backfills what is missing
        return None


def _to_int(h) -> int:
    bits = np.asarray(h.hash, dtype=np.uint8).ravel()
    return int("".join("1" if b else "0" for b in bits), 2)


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


# -- storage ----------------------------------------------------------------------------
def _signed(v: int) -> int:
    return v - (1 << 64) if v & _SIGN else v


def put(catalog, items: Iterable[tuple[int, Fingerprint]]) -> None:
    """Store fingerprints (call inside the caller's transaction)."""
    catalog.db.executemany(
        "INSERT OR REPLACE INTO fingerprints(photo_id, phash, dhash, sharpness) VALUES (?, ?, ?, ?)",
        ((pid, _signed(fp.phash), _signed(fp.dhash), fp.sharpness) for pid, fp in items))


def copy(catalog, source_id: int, target_id: int) -> None:
    """A byte-identical copy shares its twin's fingerprint (it is never decoded)."""
    catalog.db.execute(
        "INSERT OR REPLACE INTO fingerprints(photo_id, phash, dhash, sharpness) "
        "SELECT ?, phash, dhash, sharpness FROM fingerprints WHERE photo_id=?", (target_id, source_id))


def load(catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ids, phash, dhash, sharpness) of every fingerprinted photo, hashes as uint64."""
    rows = catalog.db.execute("SELECT photo_id, phash, dhash, sharpness FROM fingerprints ORDER BY photo_id").fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.uint64)
        return np.zeros(0, dtype=np.int64), empty, empty.copy(), np.zeros(0, dtype=np.float64)
    arr = np.array([r[:3] for r in rows], dtype=np.int64)
    sharp = np.array([r[3] if r[3] is not None else np.nan for r in rows], dtype=np.float64)
    return arr[:, 0], arr[:, 1].view(np.uint64), arr[:, 2].view(np.uint64), sharp


def missing(catalog) -> list[tuple[int, str]]:
    """(id, path) of photos without a fingerprint: catalogued before migration 3."""
    return list(catalog.db.execute(
        "SELECT p.id, p.path FROM photos p LEFT JOIN fingerprints f ON f.photo_id = p.id WHERE f.photo_id IS NULL"))
