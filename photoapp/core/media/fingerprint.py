"""Perceptual fingerprints of a photo: pHash, dHash and a sharpness score.

They are computed by the indexer's decode workers from the upright RGB image that is
already decoded for the model (JPEG draft mode keeps both sides >= the model's input,
far more than the 32x32 a pHash looks at), and stored in ``fingerprints`` (catalog
migration 3, photoapp/core/store/fingerprints.py). Hashes are 64-bit; SQLite keeps them as
signed integers, numpy as uint64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Sharpness is measured with the short side scaled (box filter) to exactly this: the
# Laplacian's variance depends on scale, and a JPEG arrives draft-reduced while a WebP of
# the same picture arrives full size. Decoders must deliver at least this short side.
MIN_SIDE = 128


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
