"""Crops that cut more than the full-frame hashes forgive.

A crop, seen whole, hashes like the part of the original it kept. Every fingerprint
carries the pHash and dHash of 16 parts of the photo (``fingerprint.WINDOWS``: the centre
kept at 90, 84, 78, 72 % of each side, each corner at 90, 84, 78 %), so a crop is found by
looking up every photo's parts among the other photos' whole-frame hashes: within
``CROP_MAX_BITS``, the crop of a photo is 0-14 bits from the part it kept (centre crops of
8-28 %, corner crops of 10-20 % of shared/photos), while distinct photos are 33+ bits apart.
The pair's colours are then compared as for any near pair, on the original's colour grid
resampled to that part (``colour.window``).

Candidates come from shared hash chunks (``hamming_index.pairs_between``), with one flip per
16-bit chunk up to ``EXACT_LIMIT`` photos, and with none past it; in libraries too large
for the exact near search (given the vector index's neighbours) from each photo's nearest
neighbours alone, checked part by part: a crop embeds close to its original.
"""

from __future__ import annotations

import numpy as np

from photoapp.core.duplicates import hamming_index
from photoapp.core.media import fingerprint

# pHash + dHash bits between a crop and the part of the original it kept; the search probes
# each hash within half of it: 7 bits per hash needs one flip per 16-bit chunk (17 probes).
CROP_MAX_BITS = 14
# Every part keeps the photo's proportions (the same share of each side), so a crop found
# by them has its original's aspect ratio, within this (log) tolerance for rounding. Two
# renders of one simple picture (a shape on a plain ground, elsewhere and larger) can hash
# like a part of each other; they are framed differently, a crop is not.
MAX_ASPECT_CHANGE = 0.02
# Up to here the parts are searched with one flip per chunk; past it (16 parts per photo
# make 16 times the queries) only parts sharing a whole 16-bit chunk of either hash with a
# photo are candidates (and given the vector index's neighbours, only they).
EXACT_LIMIT = 20_000


def crop_pairs(
    phash: np.ndarray,
    dhash: np.ndarray,
    windows: np.ndarray,
    neighbours: tuple[np.ndarray, np.ndarray] | None = None,
    max_bits: int = CROP_MAX_BITS,
    aspects: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """(whole, crop, window, pHash bits, dHash bits), as arrays of photo indices: photo
    ``crop`` is the part ``window`` of photo ``whole``, the closest such part per pair.

    ``windows`` is (photos, len(WINDOWS), 2) uint64, zero for a photo without them;
    given ``neighbours`` (index pairs: libraries too large for the exact near search) only
    they are checked; past ``EXACT_LIMIT`` photos the chunk search has no flips.
    ``aspects`` (width / height, nan where unknown) rule out pairs framed differently
    (``MAX_ASPECT_CHANGE``)."""
    n, k = windows.shape[:2]
    if neighbours is not None:
        # Too many photos for a search of their parts (16 queries per photo, each meeting a
        # crowded bucket per chunk: 134 of 198 CPU s of the near tier at 1M): each photo's
        # nearest neighbours in the vector index are checked part by part instead.
        whole, crop, window = _neighbour_parts(windows, phash, dhash, neighbours, max_bits)
    else:
        has = np.nonzero(windows.reshape(n, -1).any(axis=1))[0]
        parts = windows[has].reshape(-1, 2)
        owner = np.repeat(has, k)
        slot = np.tile(np.arange(k), len(has))
        flips = None if n <= EXACT_LIMIT else 0
        found = [
            hamming_index.pairs_between(parts[:, col], full, max_bits // 2, flips)[:2]
            for col, full in ((0, phash), (1, dhash))
        ]
        key = np.unique(np.concatenate([q * n + i for q, i in found]))  # a pair found by both hashes once
        q, i = key // n, key % n
        whole, crop, window = owner[q], i, slot[q]
    dp = fingerprint.popcount(windows[whole, window, 0] ^ phash[crop])
    dd = fingerprint.popcount(windows[whole, window, 1] ^ dhash[crop])
    # Both hashes must agree on their own (each within half the radius): a picture with
    # little in it (a shape on a plain ground) can match a part of another in one hash.
    ok = (dp <= max_bits // 2) & (dd <= max_bits // 2) & (whole != crop)
    if aspects is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            change = np.abs(np.log(aspects[whole] / aspects[crop]))
        ok &= ~(change > MAX_ASPECT_CHANGE)  # unknown (nan) passes
    whole, crop, window, dp, dd = whole[ok], crop[ok], window[ok], dp[ok], dd[ok]
    order = np.lexsort((dp + dd, crop, whole))  # the closest part first within each pair
    whole, crop, window, dp, dd = whole[order], crop[order], window[order], dp[order], dd[order]
    first = np.ones(len(whole), dtype=bool)
    first[1:] = (whole[1:] != whole[:-1]) | (crop[1:] != crop[:-1])
    return whole[first], crop[first], window[first], dp[first], dd[first]


def _neighbour_parts(windows, phash, dhash, neighbours, max_bits: int, block: int = 200_000):
    """(whole, crop, window) for every part of either photo of each neighbour pair whose
    hashes are each within half of ``max_bits`` of the other photo's whole frame."""
    a, b = (np.asarray(x, dtype=np.int64) for x in neighbours)
    wholes, crops = np.concatenate([a, b]), np.concatenate([b, a])
    has = windows.reshape(len(windows), -1).any(axis=1)  # a photo without part hashes yet: none
    wholes, crops = wholes[has[wholes]], crops[has[wholes]]
    found = []
    for start in range(0, len(wholes), block):  # bounded memory: 16 parts x 2 hashes per pair
        w, c = wholes[start : start + block], crops[start : start + block]
        parts = windows[w]
        dp = fingerprint.popcount(parts[:, :, 0] ^ phash[c, None])
        dd = fingerprint.popcount(parts[:, :, 1] ^ dhash[c, None])
        ok = (dp <= max_bits // 2) & (dd <= max_bits // 2)
        row, slot = np.nonzero(ok)
        found.append((w[row], c[row], slot))
    if not found:
        return (np.zeros(0, np.int64),) * 3
    return tuple(np.concatenate([f[i] for f in found]).astype(np.int64) for i in range(3))


def describe(window: int) -> str:
    """ "cropped to the centre 84 %", "cropped to the top-left 90 %" (of each side)."""
    left, top, right, bottom = fingerprint.WINDOWS[window]
    share = round((right - left) * 100)
    if abs(left + right - 1) < 1e-6 and abs(top + bottom - 1) < 1e-6:
        return f"cropped to the centre {share} %"
    corner = ("bottom" if top > 0 else "top") + "-" + ("right" if left > 0 else "left")
    return f"cropped to the {corner} {share} %"
