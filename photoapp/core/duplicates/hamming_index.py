"""All pairs of 64-bit codes within a Hamming radius, without comparing all pairs.

Multi-index hashing (Norouzi et al.): split each code into 4 chunks of 16 bits. If two
codes differ in at most ``r`` bits, one chunk differs in at most ``r // 4`` bits
(pigeonhole). So each code looks up, per chunk, the buckets of every 16-bit value within
``r // 4`` flips of its own chunk (137 values for r // 4 == 2), and only those candidates
get a full popcount. For 100,000 random codes that is ~200 candidates per code instead
of 100,000. Identical codes are collapsed first, so a thousand all-black frames with one
pHash cost one lookup, not a million pairs.

The exact search grows with n squared (the buckets fill up). ``flips=0`` probes only each
code's own buckets: it then finds the pairs that share at least one whole chunk (nearly all
pairs a few bits apart, about a third of those at 11 bits) at a cost that stays linear,
for libraries too large for the exact search; the caller adds other candidates.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from photoapp.core.media.fingerprint import popcount

CHUNKS = 4
CHUNK_BITS = 16
_BLOCK = 2_000_000  # candidate pairs expanded at once: bounds memory on clustered codes


def _flip_masks(radius: int) -> np.ndarray:
    masks = [0]
    for r in range(1, radius + 1):
        masks.extend(sum(1 << b for b in bits) for bits in combinations(range(CHUNK_BITS), r))
    return np.array(masks, dtype=np.int64)


def pairs_within(codes: np.ndarray, radius: int, flips: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, distance) with i < j for every pair of distinct *unique* codes within ``radius``
    (with ``flips`` below ``radius // 4``: only those sharing a chunk within ``flips`` bits).

    ``codes`` must be unique (see ``unique_codes``); indices refer to it.
    """
    codes = np.asarray(codes, dtype=np.uint64)
    if len(codes) < 2:
        return _empty()
    masks = _flip_masks(radius // CHUNKS if flips is None else min(flips, radius // CHUNKS))
    found: list[np.ndarray] = []
    for c in range(CHUNKS):
        keys = ((codes >> np.uint64(c * CHUNK_BITS)) & np.uint64(0xFFFF)).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        starts = np.searchsorted(keys[order], np.arange((1 << CHUNK_BITS) + 1))
        step = max(1, _BLOCK // (len(masks) * 4))  # codes per block: ~4 candidates per probe
        for begin in range(0, len(codes), step):
            found += _probe(codes, keys, masks, order, starts, begin, min(len(codes), begin + step), radius)
    if not found:
        return _empty()
    key = np.unique(np.concatenate(found))  # a pair is found once per chunk that matches
    i, j = key // len(codes), key % len(codes)
    return i, j, popcount(codes[i] ^ codes[j])


def _probe(codes, keys, masks, order, starts, begin, end, radius) -> list[np.ndarray]:
    """Pairs (as i * n + j, i < j) within ``radius`` among the candidates of codes begin..end.

    Two buckets whose keys differ by a mask are probed once, from the lower key (a code's
    own bucket from itself, keeping i < j): half the candidates of probing both ways."""
    own = keys[begin:end, None]
    query = own ^ masks[None, :]
    upward = query >= own
    rows = np.broadcast_to(np.arange(begin, end, dtype=np.int64)[:, None], query.shape)[upward]
    src, dst = _expand(rows, query[upward], order, starts)
    near = popcount(codes[src] ^ codes[dst]) <= radius
    src, dst = src[near], dst[near]
    # A code meets itself in its own bucket, and every other code there from both ends.
    keep = (keys[src] != keys[dst]) | (src < dst)
    src, dst = src[keep], dst[keep]
    return [np.minimum(src, dst) * len(codes) + np.maximum(src, dst)] if len(src) else []


def _expand(rows: np.ndarray, query: np.ndarray, order: np.ndarray, starts: np.ndarray):
    """(row, code index) for every code in bucket ``query[k]`` of each ``rows[k]``."""
    lo = starts[query]
    counts = starts[query + 1] - lo
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # position of each candidate in ``order``: its bucket's start plus its rank within it
    ends = np.cumsum(counts)
    at = np.arange(total, dtype=np.int64) - np.repeat(ends - counts - lo, counts)
    return np.repeat(rows, counts), order[at]


def unique_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unique codes, index of each input's unique code)."""
    uniq, inverse = np.unique(np.asarray(codes, dtype=np.uint64), return_inverse=True)
    return uniq, inverse.ravel()


def _empty():
    z = np.zeros(0, dtype=np.int64)
    return z, z.copy(), z.copy()


def pairs_between(
    queries: np.ndarray, codes: np.ndarray, radius: int, flips: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(q, i, distance) for every query code and code within ``radius`` of it (indices into
    ``queries`` and ``codes``), by the same chunk lookups as ``pairs_within``: ``codes`` are
    bucketed, each query probes the buckets within ``radius // 4`` (or ``flips``) bits."""
    queries, codes = np.asarray(queries, dtype=np.uint64), np.asarray(codes, dtype=np.uint64)
    if not len(queries) or not len(codes):
        return _empty()
    masks = _flip_masks(radius // CHUNKS if flips is None else min(flips, radius // CHUNKS))
    found: list[np.ndarray] = []
    step = max(1, _BLOCK // (len(masks) * 4))
    for c in range(CHUNKS):
        shift = np.uint64(c * CHUNK_BITS)
        keys = ((codes >> shift) & np.uint64(0xFFFF)).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        starts = np.searchsorted(keys[order], np.arange((1 << CHUNK_BITS) + 1))
        qkeys = ((queries >> shift) & np.uint64(0xFFFF)).astype(np.int64)
        for begin in range(0, len(queries), step):
            end = min(len(queries), begin + step)
            probe = (qkeys[begin:end, None] ^ masks[None, :]).ravel()
            rows = np.repeat(np.arange(begin, end, dtype=np.int64), len(masks))
            src, dst = _expand(rows, probe, order, starts)
            near = popcount(queries[src] ^ codes[dst]) <= radius
            if near.any():
                found.append(src[near] * len(codes) + dst[near])
    if not found:
        return _empty()
    key = np.unique(np.concatenate(found))
    q, i = key // len(codes), key % len(codes)
    return q, i, popcount(queries[q] ^ codes[i])
