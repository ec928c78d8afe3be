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
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from photoapp.config import DupeSettings
from photoapp.core.duplicates import colour, keeper, near
from photoapp.core.duplicates.near import ColourSource
from photoapp.core.store.catalog import Photo
from photoapp.core.store.duplicates import DuplicateStore
from photoapp.core.store.fingerprints import FingerprintStore, Prints

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
    weak: bool = False  # near through a grayscale or toned copy: linked after the others
    shift: float = 0.0  # near: how far the colours moved (rms CIELAB a*b* per cell; see colour.shift)


@dataclass
class Group:
    tier: Tier
    photos: list[Photo]  # the keeper first, then by path
    keep: Photo
    reason: str
    pairs: list[Pair] = field(default_factory=list)

    @property
    def suggest_trash(self) -> bool:
        """Copies suggest their non-keepers for the trash; other shots of a moment never do."""
        return self.tier != Tier.SIMILAR

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
            "suggest_trash": self.suggest_trash,
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
    prints: Prints,
    max_bits: int,
    neighbours=None,
    colours: ColourSource | None = None,
    guard=None,
    photos: dict[int, Photo] | None = None,
) -> list[Pair]:
    """Near pairs (see ``near``): the same picture as the photos stand, turned or cropped,
    with structure and colour agreeing. Pass ``guard`` (``near.guard_for``) on to ``link``;
    ``photos`` (by id) give the proportions a crop must keep."""
    turned = (prints.turn_phash, prints.turn_dhash, prints.turn)
    found = near.near_pairs(
        prints.ids,
        prints.phash,
        prints.dhash,
        max_bits,
        neighbours,
        colours,
        turned,
        guard,
        prints.windows,
        None if photos is None else aspects(prints.ids, photos),
    )
    return [Pair(f.a, f.b, Tier.NEAR, float(f.bits), f.reason, f.weak, f.shift) for f in found]


def aspects(ids: np.ndarray, photos: dict[int, Photo]) -> np.ndarray:
    """Width / height of each photo (nan where unknown), in ``ids`` order."""
    out = np.full(len(ids), np.nan)
    for k, i in enumerate(ids.tolist()):
        p = photos.get(i)
        if p is not None and p.width and p.height:
            out[k] = p.width / p.height
    return out


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


@dataclass
class Shots:
    """What tells a burst: per photo id, the EXIF capture time (with sub-seconds) and the
    camera (model and serial); ``taken`` the catalog's EXIF time where that is all there is."""

    time: dict[int, float] = field(default_factory=dict)
    camera: dict[int, str] = field(default_factory=dict)
    taken: dict[int, float] = field(default_factory=dict)

    def burst_gap(self, a: int, b: int, max_gap: float) -> float | None:
        """Seconds between two shots of one camera at most ``max_gap`` apart, else None."""
        if a not in self.time or b not in self.time:
            return None
        ca, cb = self.camera.get(a), self.camera.get(b)
        gap = abs(self.time[a] - self.time[b])
        return gap if gap <= max_gap and ca == cb else None

    def gap(self, a: int, b: int) -> float | None:
        when = self.time if a in self.time and b in self.time else self.taken
        return abs(when[a] - when[b]) if a in when and b in when else None


def similar_pairs(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], shots: Shots, s: DupeSettings, prints: Prints | None = None
) -> list[Pair]:
    """The k-NN ``edges`` (see ``knn``) that are a burst (one camera, seconds apart, cosine
    at least ``burst_min_cosine``) or, without that evidence, very close (at least
    ``similar_min_cosine``), alike in layout (grey hashes within ``similar_max_bits``, given
    ``prints``) and not taken far apart; once per pair."""
    layout = _Layout(prints)
    src, dst, cos = edges
    keep = cos >= min(s.similar_min_cosine, s.burst_min_cosine)
    src, dst, cos = src[keep], dst[keep], cos[keep]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    key, first = np.unique(lo * (int(hi.max(initial=0)) + 1) + hi, return_index=True)
    pairs = []
    for a, b, c in zip(lo[first].tolist(), hi[first].tolist(), cos[first].tolist()):
        burst = shots.burst_gap(a, b, s.burst_max_gap_s)
        if burst is not None and c >= s.burst_min_cosine:
            pairs.append(
                Pair(a, b, Tier.SIMILAR, c, f"burst: one camera, {_duration(burst)} apart (CLIP cosine {c:.3f})")
            )
            continue
        gap = shots.gap(a, b)
        if c < s.similar_min_cosine or (gap is not None and gap > s.similar_max_gap_s):
            continue
        bits = layout.bits(a, b)
        if bits is not None and bits > s.similar_max_bits:
            continue
        when = f", taken {_duration(gap)} apart" if gap is not None else ""
        alike = f", layouts {bits} of 128 bits apart" if bits is not None else ""
        pairs.append(Pair(a, b, Tier.SIMILAR, c, f"similar shot (CLIP cosine {c:.3f}{alike}{when})"))
    return pairs


class _Layout:
    """pHash + dHash bits between two photos' grey layouts (None without fingerprints)."""

    def __init__(self, prints: Prints | None):
        self.prints = prints
        self.row = {} if prints is None else {int(i): k for k, i in enumerate(prints.ids)}

    def bits(self, a: int, b: int) -> int | None:
        if a not in self.row or b not in self.row:
            return None if self.prints is None else 128
        p, i, j = self.prints, self.row[a], self.row[b]
        return (int(p.phash[i]) ^ int(p.phash[j])).bit_count() + (int(p.dhash[i]) ^ int(p.dhash[j])).bit_count()


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


# -- grouping ---------------------------------------------------------------------------
def link(pairs: list[Pair], cap: int, guard: near.ColourGuard | None = None) -> dict[int, tuple[Tier, list[Pair]]]:
    """Capped transitive closure: root id -> (loosest tier used, the edges that joined it).

    Exact edges first, then near ones, then similar ones, closest first. With ``guard``,
    the near edges come in three rounds: between photos whose colours are the same
    (``colour.SAME``: re-encodes, resizes, turns, crops), closest first, so that each
    family's core forms; then the colour-edited ones, those touching the largest groups
    first (an edit joins the family of its original before it can pair with another
    picture, such as its original's colourway); then the weak ones (through a grayscale or
    toned copy, which agrees with a photo and with its colourway alike), largest group
    first, each such copy once. Every near edge joins two groups only when their colours
    agree by consensus (``near.ColourGuard.consensus``)."""
    union = _Union(cap, guard)

    def closest(p: Pair):
        return p.score if p.tier == Tier.NEAR else -p.score

    if guard is None:
        for pair in sorted(pairs, key=lambda p: (TIERS.index(p.tier), closest(p))):
            union.add(pair)
    else:
        tier = {t: [p for p in pairs if p.tier == t] for t in TIERS}
        for pair in sorted(tier[Tier.EXACT], key=closest):
            union.add(pair)
        strong = [p for p in tier[Tier.NEAR] if not p.weak]
        for pair in sorted((p for p in strong if p.shift < colour.SAME), key=closest):
            union.add(pair)
        union.add_largest_first([p for p in strong if p.shift >= colour.SAME])
        union.add_weak([p for p in tier[Tier.NEAR] if p.weak])
        for pair in sorted(tier[Tier.SIMILAR], key=closest):
            union.add(pair)
    return {root: (TIERS[union.tier[root]], group_edges) for root, group_edges in union.edges.items()}


class _Union:
    """Union-find for ``link``: sizes, loosest tiers, edges and colour anchors per root."""

    def __init__(self, cap: int, guard: near.ColourGuard | None):
        self.cap, self.guard = cap, guard
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}
        self.tier: dict[int, int] = {}
        self.edges: dict[int, list[Pair]] = {}
        self.anchors: dict[int, list[int]] = {}  # root -> members with colours of their own

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def _largest_first(self, pairs: list[Pair]) -> list[Pair]:
        """Pairs touching the largest groups (as they stand now) first, then the closest."""
        biggest = {id(p): max(self.size.get(self.find(p.a), 1), self.size.get(self.find(p.b), 1)) for p in pairs}
        return sorted(pairs, key=lambda p: (-biggest[id(p)], p.score))

    def add_largest_first(self, pairs: list[Pair]) -> None:
        for pair in self._largest_first(pairs):
            self.add(pair)

    def add_weak(self, pairs: list[Pair]) -> None:
        """Weak near pairs, largest groups first. A grayscale or toned photo still on its
        own gets one try: its most likely family (which may be full), never the next best,
        a colourway. Where two or more groups with colours are equally likely (a photo and
        its colourway, each on its own), it joins none."""
        tried: set[int] = set()
        tied = self._tied(pairs)
        for pair in self._largest_first(pairs):
            alone = [x for x in (pair.a, pair.b) if self.find(x) not in self.size and not self.guard.own_colours(x)]
            if any(x in tried or x in tied or self.guard.ambiguous(x) for x in alone):
                continue
            tried.update(alone)
            self.add(pair)

    def _tied(self, pairs: list[Pair]) -> set[int]:
        """Photos without colours of their own, still alone, whose weak pairs reach more
        than one largest group with colours (the groups stand apart: their colours differ)."""
        reach: dict[int, dict[int, int]] = {}
        for pair in pairs:
            for x, y in ((pair.a, pair.b), (pair.b, pair.a)):
                if self.find(x) in self.size or self.guard.own_colours(x):
                    continue
                root = self.find(y)
                if root in self.size or self.guard.own_colours(y):
                    reach.setdefault(x, {})[root] = self.size.get(root, 1)
        tied = set()
        for x, sizes in reach.items():
            top = max(sizes.values())
            if sum(size == top for size in sizes.values()) > 1:
                tied.add(x)
        return tied

    def add(self, pair: Pair) -> None:
        ra, rb = self.find(pair.a), self.find(pair.b)
        if ra == rb:
            return
        joined = self.size.get(ra, 1) + self.size.get(rb, 1)
        if pair.tier != Tier.EXACT and joined > self.cap:
            return
        anchors = [self._anchors(r) for r in (ra, rb)]
        guarded = pair.tier == Tier.NEAR and self.guard is not None and anchors[0] and anchors[1]
        if guarded:
            few, many = sorted(anchors, key=len)
            if not self.guard.consensus(few, many):
                return
        if self.size.get(ra, 1) < self.size.get(rb, 1):
            ra, rb = rb, ra
            anchors.reverse()
        self.parent[rb] = ra
        self.size[ra] = joined
        self.tier[ra] = max(self.tier.get(ra, 0), self.tier.get(rb, 0), TIERS.index(pair.tier))
        self.edges[ra] = self.edges.get(ra, []) + self.edges.pop(rb, []) + [pair]
        # Through a grayscale or toned copy the larger group's colours lead alone (the copy
        # agrees with any colouring); otherwise both groups' anchors count from now on.
        self.anchors[ra] = (anchors[0] or anchors[1]) if pair.weak else anchors[0] + anchors[1]
        self.anchors.pop(rb, None)

    def _anchors(self, root: int) -> list[int]:
        if root in self.anchors:
            return self.anchors[root]
        if root in self.size or self.guard is None:  # a group, or no colours to keep apart
            return []
        return [root] if self.guard.anchor(root) else []


def drop_dismissed(pairs: list[Pair], hashes: dict[int, str], dismissed: set[tuple[str, str]]) -> list[Pair]:
    if not dismissed:
        return pairs
    return [p for p in pairs if _hash_pair(hashes[p.a], hashes[p.b]) not in dismissed]


def _hash_pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def build_groups(
    linked: dict[int, tuple[Tier, list[Pair]]], photos: dict[int, Photo], quality: keeper.Quality | dict | None = None
) -> list[Group]:
    """Groups with their keepers; a similar group (other shots, not copies) suggests nothing
    for the trash: the user picks what goes (``Group.suggest_trash``)."""
    if not isinstance(quality, keeper.Quality):
        quality = keeper.Quality(dict(quality or {}))
    groups = []
    for group_tier, edges in linked.values():
        members = sorted((photos[i] for i in {i for e in edges for i in (e.a, e.b)}), key=lambda p: p.path)
        burst = group_tier == Tier.SIMILAR
        keep, reason = keeper.choose_burst(members, quality) if burst else keeper.choose(members, quality)
        members.remove(keep)
        groups.append(Group(group_tier, [keep, *members], keep, reason, edges))
    groups.sort(key=lambda g: (TIERS.index(g.tier), -g.reclaim_bytes, g.keep.path))
    return groups


# -- the whole pass ---------------------------------------------------------------------
def find(catalog, index, model: str, settings: DupeSettings, tiers=TIERS) -> list[Group]:
    """Every duplicate group of the requested tiers (see ``tiers_up_to``)."""
    photos = {p.id: p for p in catalog.all_photos(order="id")}
    store = FingerprintStore(catalog)
    prints = store.load()
    pairs = exact_pairs(list(photos.values())) if Tier.EXACT in tiers else []
    large = at_scale(len(prints))
    edges = _no_edges()
    if Tier.SIMILAR in tiers or (Tier.NEAR in tiers and large):
        edges = knn(index, *catalog.embeddings(model), settings)
    guard = near.guard_for(store.colours, prints.ids, prints.turn, (prints.phash, prints.dhash, prints.windows))
    if Tier.NEAR in tiers:
        neighbours = edges[:2] if large else None
        pairs += near_pairs(prints, settings.near_max_bits, neighbours, store.colours, guard, photos)
    if Tier.SIMILAR in tiers:
        shots = Shots(
            prints.known(prints.shot_time),
            {int(i): c for i, c in zip(prints.ids, prints.camera) if c},
            {p.id: p.taken for p in photos.values() if p.taken_from_exif and p.taken is not None},
        )
        pairs += similar_pairs(edges, shots, settings, prints)
    pairs = [p for p in pairs if p.a in photos and p.b in photos and not _never_duplicates(photos[p.a], photos[p.b])]
    pairs = drop_dismissed(pairs, {i: p.hash for i, p in photos.items()}, dismissed(catalog))
    quality = keeper.Quality(
        prints.known(prints.sharpness), prints.known(prints.exposure), set(prints.known(prints.shot_time))
    )
    return build_groups(link(pairs, settings.group_cap, guard), photos, quality)


def _never_duplicates(a: Photo, b: Photo) -> bool:
    """A video and a still are never duplicates (a phone's Live Photo is both), and two
    RAW+JPEG pairs are never proposed against each other: a group may only trash files
    that are not a pair's, and the keeper rule puts a pair first."""
    if (a.kind == "video") != (b.kind == "video"):
        return True
    return bool(a.companion and b.companion)


def dismissed(catalog) -> set[tuple[str, str]]:
    return DuplicateStore(catalog).dismissed()
