"""Duplicates in three tiers, grouped, with a suggested keeper.

- **exact**: the same bytes (the catalog's BLAKE2b content hash).
- **near**: the same picture after resizing, recompression, a format change, EXIF
  stripping, a mild colour change or a small crop: pHash + dHash distance (bits out of
  64 + 64) at most ``near_max_bits``.
- **similar**: different shots of one moment (bursts, the same scene): embedding cosine
  at least ``similar_min_cosine`` among each photo's ``similar_neighbours`` nearest
  neighbours in the HNSW index, and, when both carry an EXIF capture time, taken at most
  ``similar_max_gap_s`` apart.

Candidates never come from all pairs: exact copies from hash buckets, near ones from
multi-index hashing (``hamming_index``), similar ones from the k-NN of the vector index.
Above ``NEAR_EXACT_LIMIT`` distinct fingerprints the exact Hamming search would grow with
n squared, so near candidates are then the photos sharing a 16-bit chunk of either hash
plus each photo's nearest neighbours in the vector index (a resized or recompressed copy
embeds almost identically), all checked against the same pHash + dHash radius.
Groups are transitive closures built strongest edge first (Kruskal order); an edge that
would make a near or similar group larger than ``group_cap`` is skipped, so a chain of
look-alikes cannot swallow an album. Pairs the user marked "not duplicates" are dropped.

How the defaults were chosen (benchmarks/dupes_scale.py --variants measures it again):
on the 27 real photographs in shared/photos and 13 generated variants of each (half
and 640 px sizes, JPEG q50, WebP, PNG, 3/5/8 % centre crops, a 5 % corner crop,
brightness +20 % / -15 %, saturation +30 %, contrast +15 %), pHash + dHash distances
were: resize/recompress/format/colour variants <= 13 bits, 3 % crops <= 13, 5 % crops
<= 21, 8 % and corner crops up to 28; distinct photos >= 37 (351 pairs). 22 bits sits
in the gap: it keeps every mild edit and crops up to ~5 %, with a 15-bit margin to the
closest distinct pair. The similar tier's 0.92 is for CLIP ViT-B/32, where re-encoded
copies score > 0.97 and unrelated photos of one subject rarely pass 0.9; it is a setting
because other models spread their cosines differently.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from photoapp.config import DupeSettings
from photoapp.core.duplicates import hamming_index, keeper
from photoapp.core.media import fingerprint
from photoapp.core.store.catalog import Photo
from photoapp.core.store.duplicates import DuplicateStore
from photoapp.core.store.fingerprints import FingerprintStore

NEAR_EXACT_LIMIT = 250_000  # exact Hamming search up to here (about 45 s at 250k on 2 cores)


class Tier(StrEnum):
    EXACT = "exact"
    NEAR = "near"
    SIMILAR = "similar"


TIERS = (Tier.EXACT, Tier.NEAR, Tier.SIMILAR)


@dataclass
class Pair:
    a: int
    b: int
    tier: Tier
    score: float  # exact: 1; near: bits apart (lower is closer); similar: cosine
    reason: str


@dataclass
class Group:
    tier: Tier
    photos: list[Photo]  # the keeper first, then by path
    keep: Photo
    reason: str
    pairs: list[Pair] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.photos]

    @property
    def reclaim_bytes(self) -> int:
        return sum(p.size for p in self.photos if p.id != self.keep.id)

    def as_dict(self) -> dict:
        by_id = {p.id: p.path for p in self.photos}
        return {
            "tier": str(self.tier),
            "paths": self.paths,
            "keep": self.keep.path,
            "reason": self.reason,
            "reclaim_bytes": self.reclaim_bytes,
            "raw": {p.path: p.companion for p in self.photos if p.companion},  # a RAW+JPEG pair's RAW file
            "pairs": [
                {"a": by_id[p.a], "b": by_id[p.b], "tier": str(p.tier), "score": round(p.score, 4), "reason": p.reason}
                for p in self.pairs
            ],
        }


def tiers_up_to(tier: str) -> tuple[Tier, ...]:
    """``--tier near`` means exact and near: a near group may hold exact copies too."""
    if tier == "all":
        return TIERS
    return TIERS[: TIERS.index(Tier(tier)) + 1]


# -- candidate pairs --------------------------------------------------------------------
def exact_pairs(photos: list[Photo]) -> list[Pair]:
    """Star edges from the first photo of every content-hash bucket."""
    buckets: dict[str, list[int]] = {}
    for p in photos:
        buckets.setdefault(p.hash, []).append(p.id)
    return [
        Pair(ids[0], other, Tier.EXACT, 1.0, "identical content (same file bytes)")
        for ids in buckets.values()
        if len(ids) > 1
        for other in ids[1:]
    ]


def at_scale(photos: int) -> bool:
    """Past this size the near tier takes its candidates from shared hash chunks plus the
    k-NN (the exact Hamming search would grow with n squared), and the k-NN walks wider."""
    return photos > NEAR_EXACT_LIMIT


def near_pairs(
    ids: np.ndarray,
    phash: np.ndarray,
    dhash: np.ndarray,
    max_bits: int,
    neighbours: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Pair]:
    """Pairs within ``max_bits`` of pHash + dHash distance.

    If p + d <= max_bits then p or d is <= max_bits // 2, so the union of two Hamming
    searches at half the radius finds every such pair (then the sum is checked). Given
    ``neighbours`` (photo id pairs from the vector index; for libraries ``at_scale``),
    the searches only probe shared chunks and the neighbours are checked too."""
    if len(ids) < 2:
        return []
    combo = np.stack([phash, dhash], axis=1)
    uniq, first, inverse = np.unique(combo, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    pairs = [
        Pair(int(ids[first[inverse[i]]]), int(ids[i]), Tier.NEAR, 0.0, _near_reason(0, 0))
        for i in np.nonzero(first[inverse] != np.arange(len(ids)))[0]
    ]
    half = max_bits // 2
    flips = None if neighbours is None else 0
    found = set()
    # The two searches are independent and numpy releases the GIL in their heavy parts:
    # one thread each uses both cores of a small machine.
    with ThreadPoolExecutor(max_workers=2) as pool:
        for i, j, _ in pool.map(lambda column: hamming_index.pairs_within(uniq[:, column], half, flips), (0, 1)):
            found.update(zip(i.tolist(), j.tolist()))
    if flips is not None:
        found.update(_unique_pairs(ids, inverse, *neighbours))
    if not found:
        return pairs
    ui, uj = (np.array(x, dtype=np.int64) for x in zip(*found))
    dp = fingerprint.popcount(uniq[ui, 0] ^ uniq[uj, 0])
    dd = fingerprint.popcount(uniq[ui, 1] ^ uniq[uj, 1])
    ok = dp + dd <= max_bits
    for a, b, p, d in zip(ui[ok], uj[ok], dp[ok], dd[ok]):
        pairs.append(Pair(int(ids[first[a]]), int(ids[first[b]]), Tier.NEAR, float(p + d), _near_reason(p, d)))
    return pairs


def _unique_pairs(ids: np.ndarray, inverse: np.ndarray, src: np.ndarray, dst: np.ndarray) -> set[tuple[int, int]]:
    """Photo id pairs -> pairs (i < j) of unique-fingerprint indices; photos without one dropped."""
    order = np.argsort(ids)
    sorted_ids = ids[order]

    def unique_index(photo_ids):
        at = np.clip(np.searchsorted(sorted_ids, photo_ids), 0, len(ids) - 1)
        return np.where(sorted_ids[at] == photo_ids, inverse[order[at]], -1)

    a, b = unique_index(src), unique_index(dst)
    keep = (a >= 0) & (b >= 0) & (a != b)
    return set(zip(np.minimum(a, b)[keep].tolist(), np.maximum(a, b)[keep].tolist()))


def _near_reason(p: int, d: int) -> str:
    if p == d == 0:
        return "same picture (identical perceptual hashes)"
    return f"same picture (perceptual hashes {p}+{d} of 128 bits apart)"


def knn(index, ids: np.ndarray, vectors: np.ndarray, s: DupeSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source id, neighbour id, cosine) for each photo's nearest neighbours, self excluded."""
    if len(ids) < 2 or index is None or len(index) < 2:
        return _no_edges()
    ef = s.knn_ef_large if at_scale(len(index)) else s.knn_ef
    labels, sims = index.neighbours(vectors, s.similar_neighbours + 1, ef, threads=os.cpu_count() or 1)
    src = np.repeat(ids, labels.shape[1])
    dst, cos = labels.ravel(), sims.ravel()
    keep = src != dst
    return src[keep], dst[keep], cos[keep]


def _no_edges():
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def similar_pairs(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], taken: dict[int, float], s: DupeSettings
) -> list[Pair]:
    """The k-NN ``edges`` (see ``knn``) that are close and time-compatible, once per pair."""
    src, dst, cos = edges
    keep = cos >= s.similar_min_cosine
    src, dst, cos = src[keep], dst[keep], cos[keep]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    key, first = np.unique(lo * (int(hi.max(initial=0)) + 1) + hi, return_index=True)
    pairs = []
    for a, b, c in zip(lo[first].tolist(), hi[first].tolist(), cos[first].tolist()):
        gap = abs(taken[a] - taken[b]) if a in taken and b in taken else None
        if gap is not None and gap > s.similar_max_gap_s:
            continue
        when = f", taken {_duration(gap)} apart" if gap is not None else ""
        pairs.append(Pair(a, b, Tier.SIMILAR, c, f"similar shot (CLIP cosine {c:.3f}{when})"))
    return pairs


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


# -- grouping ---------------------------------------------------------------------------
def link(pairs: list[Pair], cap: int) -> dict[int, tuple[Tier, list[Pair]]]:
    """Capped transitive closure: root id -> (loosest tier used, the edges that joined it)."""
    order = sorted(pairs, key=lambda p: (TIERS.index(p.tier), p.score if p.tier == Tier.NEAR else -p.score))
    parent: dict[int, int] = {}
    size: dict[int, int] = {}
    tier: dict[int, int] = {}
    edges: dict[int, list[Pair]] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in order:
        ra, rb = find(pair.a), find(pair.b)
        if ra == rb:
            continue
        joined = size.get(ra, 1) + size.get(rb, 1)
        if pair.tier != Tier.EXACT and joined > cap:
            continue
        if size.get(ra, 1) < size.get(rb, 1):
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] = joined
        tier[ra] = max(tier.get(ra, 0), tier.get(rb, 0), TIERS.index(pair.tier))
        edges[ra] = edges.get(ra, []) + edges.pop(rb, []) + [pair]
    return {root: (TIERS[tier[root]], group_edges) for root, group_edges in edges.items()}


def drop_dismissed(pairs: list[Pair], hashes: dict[int, str], dismissed: set[tuple[str, str]]) -> list[Pair]:
    if not dismissed:
        return pairs
    return [p for p in pairs if _hash_pair(hashes[p.a], hashes[p.b]) not in dismissed]


def _hash_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def build_groups(
    linked: dict[int, tuple[Tier, list[Pair]]], photos: dict[int, Photo], sharpness: dict[int, float]
) -> list[Group]:
    groups = []
    for group_tier, edges in linked.values():
        members = sorted((photos[i] for i in {i for e in edges for i in (e.a, e.b)}), key=lambda p: p.path)
        keep, reason = keeper.choose(members, sharpness)
        members.remove(keep)
        groups.append(Group(group_tier, [keep, *members], keep, reason, edges))
    groups.sort(key=lambda g: (TIERS.index(g.tier), -g.reclaim_bytes, g.keep.path))
    return groups


# -- the whole pass ---------------------------------------------------------------------
def find(catalog, index, model: str, settings: DupeSettings, tiers=TIERS) -> list[Group]:
    """Every duplicate group of the requested tiers (see ``tiers_up_to``)."""
    photos = {p.id: p for p in catalog.all_photos(order="id")}
    fp_ids, phash, dhash, sharp = FingerprintStore(catalog).load()
    pairs = exact_pairs(list(photos.values())) if Tier.EXACT in tiers else []
    large = at_scale(len(fp_ids))
    edges = _no_edges()
    if Tier.SIMILAR in tiers or (Tier.NEAR in tiers and large):
        edges = knn(index, *catalog.embeddings(model), settings)
    if Tier.NEAR in tiers:
        pairs += near_pairs(fp_ids, phash, dhash, settings.near_max_bits, edges[:2] if large else None)
    if Tier.SIMILAR in tiers:
        taken = {p.id: p.taken for p in photos.values() if p.taken_from_exif and p.taken is not None}
        pairs += similar_pairs(edges, taken, settings)
    pairs = [p for p in pairs if p.a in photos and p.b in photos and not _never_duplicates(photos[p.a], photos[p.b])]
    pairs = drop_dismissed(pairs, {i: p.hash for i, p in photos.items()}, dismissed(catalog))
    sharpness = {int(i): float(s) for i, s in zip(fp_ids, sharp) if not np.isnan(s)}
    return build_groups(link(pairs, settings.group_cap), photos, sharpness)


def _never_duplicates(a: Photo, b: Photo) -> bool:
    """A video and a still are never duplicates (a phone's Live Photo is both), and two
    RAW+JPEG pairs are never proposed against each other: a group may only trash files
    that are not a pair's, and the keeper rule puts a pair first."""
    if (a.kind == "video") != (b.kind == "video"):
        return True
    return bool(a.companion and b.companion)


def dismissed(catalog) -> set[tuple[str, str]]:
    return DuplicateStore(catalog).dismissed()
