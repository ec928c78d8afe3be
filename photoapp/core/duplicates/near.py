"""The near tier: the same picture, edited, resized, recompressed, mirrored or turned.

A pair is near when its grey structure agrees (pHash + dHash within ``max_bits`` of 128,
as the photos stand, or as both stand turned into their canonical pose: a mirrored or
rotated copy) AND its colour agrees (``colour.agree`` on the 8x8 CIELAB grids, the first
one turned like the second). Photos with identical hash pairs share one code: within a
code, and between two codes, only photos whose colours agree are paired (a colourway has
the very same grey hashes as its original).

A crop that cuts more than ``max_bits`` forgives is found by the hashes of the part of the
original it kept (``crops``), its colours compared with that part's.

Candidates never come from all pairs (see ``hamming_index``); at scale (``flips=0``),
structure candidates are shared 16-bit chunks plus each photo's nearest neighbours in the
vector index, and turned copies come from the neighbours alone (a mirrored photo embeds
close to its original), so the extra hashes add no search of their own there.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from photoapp.core.duplicates import colour, crops, hamming_index
from photoapp.core.media import fingerprint

# Turned copies are searched within this radius (or ``max_bits`` if smaller): mirrored,
# rotated, and mirrored + resized + recompressed (q60) copies of shared/photos measured
# 0..4 bits from their original in the canonical pose. Half of it, 7 bits per hash, needs
# 1 flip per 16-bit chunk (17 probes) instead of 2 (137): an eighth of the search as is.
TURNED_MAX_BITS = 14

# photo ids -> {id: (colour grid as stored, tone share)} for those that have one
ColourSource = Callable[[list[int]], dict[int, tuple[bytes, float]]]


@dataclass
class Found:
    a: int  # photo ids
    b: int
    bits: int  # pHash + dHash bits apart (lower is closer)
    reason: str
    weak: bool = False  # agrees in colour only as a grayscale or toned version
    shift: float = 0.0  # how far the colours moved (``colour.shift``)


def near_pairs(
    ids: np.ndarray,
    phash: np.ndarray,
    dhash: np.ndarray,
    max_bits: int,
    neighbours: tuple[np.ndarray, np.ndarray] | None = None,
    colours: ColourSource | None = None,
    turned: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    guard: ColourGuard | None = None,
    windows: np.ndarray | None = None,
    aspects: np.ndarray | None = None,
) -> list[Found]:
    """Near pairs of photos ``ids`` with hashes ``phash``/``dhash``; ``turned`` gives the
    canonical-pose hashes and pose of each (pose -1: not yet computed), ``colours`` their
    colour grids (without: structure alone decides). Given ``neighbours`` (photo id pairs
    from the vector index; for libraries too large for the exact search) the structure
    search only probes shared chunks and the neighbours are checked too. ``guard`` (see
    ``guard_for``) receives the colours fetched, for the grouping. ``windows`` (the parts'
    hashes, see ``crops``) adds crops the whole-frame hashes do not forgive, where the
    ``aspects`` (width / height per photo, nan unknown) allow."""
    if len(ids) < 2:
        return []
    check = _ColourCheck(colours) if guard is None else guard.check
    found = _search(ids, phash, dhash, max_bits, neighbours, chunks=True)
    pairs = _expand(ids, found, check, poses=None)
    if turned is not None and (turned[2] >= 0).sum() > 1:  # photos with turned hashes (version 2+)
        tp, td, pose = turned
        has = pose >= 0
        radius = min(max_bits, TURNED_MAX_BITS)
        found = _search(ids[has], tp[has], td[has], radius, neighbours, chunks=neighbours is None)
        seen = {(min(p.a, p.b), max(p.a, p.b)) for p in pairs}
        more = _expand(ids[has], found, check, poses=pose[has])
        pairs += [p for p in more if (min(p.a, p.b), max(p.a, p.b)) not in seen]
    if windows is not None:
        pairs += _crop_pairs(ids, phash, dhash, windows, max_bits, neighbours, check, pairs, aspects)
    return pairs


def _crop_pairs(ids, phash, dhash, windows, max_bits, neighbours, check: _ColourCheck, pairs, aspects) -> list[Found]:
    """Crops (see ``crops``) whose colours agree with the part kept. Only pairs whose whole
    frames differ by more than ``max_bits``: where the whole frames match, the colours of
    the whole frames decide (a colourway of a nearly grey photo must not pass as a crop)."""
    seen = {(min(p.a, p.b), max(p.a, p.b)) for p in pairs}
    index = None
    if neighbours is not None:
        a, b = _rows(ids, neighbours[0]), _rows(ids, neighbours[1])
        ok = (a >= 0) & (b >= 0)
        index = (a[ok], b[ok])
    whole, crop, window, dp, dd = crops.crop_pairs(phash, dhash, windows, index, aspects=aspects)
    found = []
    todo = [
        (int(ids[w]), int(ids[c]), int(k), int(p), int(d))
        for w, c, k, p, d in zip(whole.tolist(), crop.tolist(), window.tolist(), dp.tolist(), dd.tolist())
        if (min(int(ids[w]), int(ids[c])), max(int(ids[w]), int(ids[c]))) not in seen
        and (int(phash[w]) ^ int(phash[c])).bit_count() + (int(dhash[w]) ^ int(dhash[c])).bit_count() > max_bits
    ]
    check.fetch(sorted({x for t in todo for x in t[:2]}))
    for a, b, k, p, d in todo:
        key = (min(a, b), max(a, b))
        if key in seen:
            continue
        agree, how = check.part(a, b, k)
        if not agree:
            continue
        seen.add(key)
        words = ", ".join([crops.describe(k)] + ([how] if how else []))
        reason = f"same picture, {words} (perceptual hashes {p}+{d} of 128 bits apart)"
        found.append(Found(a, b, p + d, reason, bool(how), check.shift(a, b, 0, k)))
    return found


def guard_for(colours: ColourSource | None, ids: np.ndarray, turn: np.ndarray, hashes=None) -> ColourGuard:
    """The grouping's colour guard; ``hashes`` (pHash, dHash, windows of ``ids``) lets it
    compare a crop with the part of its original it kept."""
    turns = {int(i): int(t) for i, t in zip(ids, turn) if t >= 0}
    return ColourGuard(_ColourCheck(colours), turns, None if hashes is None else _Parts(ids, *hashes))


class _Parts:
    """Which part of one photo another is a crop of, judged by their hashes."""

    def __init__(self, ids: np.ndarray, phash: np.ndarray, dhash: np.ndarray, windows: np.ndarray | None):
        self.row = {int(i): k for k, i in enumerate(ids)}
        self.phash, self.dhash, self.windows = phash, dhash, windows

    def kept(self, a: int, b: int) -> tuple[int, bool] | None:
        """The part of A that B may be a crop of (its closest part within ``CROP_MAX_BITS``),
        and whether B is closer to that part than to A's whole frame (a crop; a recoloured
        copy of A has A's very structure)."""
        if self.windows is None or a not in self.row or b not in self.row:
            return None
        ra, rb = self.row[a], self.row[b]
        parts = self.windows[ra]
        if not parts.any():
            return None
        bits = fingerprint.popcount(parts[:, 0] ^ self.phash[rb]) + fingerprint.popcount(parts[:, 1] ^ self.dhash[rb])
        k = int(np.argmin(bits))
        if bits[k] > crops.CROP_MAX_BITS:
            return None
        whole = (int(self.phash[ra]) ^ int(self.phash[rb])).bit_count() + (
            int(self.dhash[ra]) ^ int(self.dhash[rb])
        ).bit_count()
        return k, bool(bits[k] < whole)


def _search(ids, phash, dhash, max_bits, neighbours, chunks: bool):
    """(members of each unique hash pair, code pairs (i, j, pbits, dbits)) within max_bits."""
    combo = np.stack([phash, dhash], axis=1)
    uniq, inverse = np.unique(combo, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    members = _Members(inverse, len(uniq))
    found: list[tuple[np.ndarray, np.ndarray]] = []
    if chunks:
        half = max_bits // 2
        flips = None if neighbours is None else 0
        # The two searches are independent and numpy releases the GIL in their heavy parts:
        # one thread each uses both cores of a small machine.
        with ThreadPoolExecutor(max_workers=2) as pool:
            searched = pool.map(lambda c: hamming_index.pairs_within(uniq[:, c], half, flips), (0, 1))
            found += [(i, j) for i, j, _ in searched]
    if neighbours is not None:
        found.append(_code_pairs(ids, inverse, *neighbours))
    ui = np.concatenate([f[0] for f in found]).astype(np.int64) if found else np.zeros(0, np.int64)
    uj = np.concatenate([f[1] for f in found]).astype(np.int64) if found else np.zeros(0, np.int64)
    dp = fingerprint.popcount(uniq[ui, 0] ^ uniq[uj, 0])
    dd = fingerprint.popcount(uniq[ui, 1] ^ uniq[uj, 1])
    # Distance first (it rejects nearly every k-NN pair), then each code pair once.
    ok = dp + dd <= max_bits
    ui, uj, dp, dd = ui[ok], uj[ok], dp[ok], dd[ok]
    _, first = np.unique(ui * len(uniq) + uj, return_index=True)
    return members, (ui[first], uj[first], dp[first], dd[first])


class _Members:
    """The photos (indices) of each unique code, sliced out only when asked for."""

    def __init__(self, inverse: np.ndarray, codes: int):
        self.order = np.argsort(inverse, kind="stable")
        counts = np.bincount(inverse, minlength=codes)
        self.starts = np.concatenate([[0], np.cumsum(counts)])
        self.counts = counts

    def __getitem__(self, code: int) -> np.ndarray:
        return self.order[self.starts[code] : self.starts[code + 1]]

    def shared(self) -> list[int]:
        """Codes that more than one photo has."""
        return np.nonzero(self.counts > 1)[0].tolist()


def _code_pairs(ids: np.ndarray, inverse: np.ndarray, src: np.ndarray, dst: np.ndarray):
    """Photo id pairs -> pairs (i < j) of unique-code indices, as two arrays; photos without
    one dropped."""
    rows = _rows(ids, src), _rows(ids, dst)
    a, b = (np.where(r >= 0, inverse[r], -1) for r in rows)
    keep = (a >= 0) & (b >= 0) & (a != b)
    return np.minimum(a, b)[keep], np.maximum(a, b)[keep]


def _rows(ids: np.ndarray, photo_ids: np.ndarray) -> np.ndarray:
    """The row in ``ids`` of each photo id, -1 where it is not there."""
    photo_ids = np.asarray(photo_ids)
    if not len(ids):
        return np.full(len(photo_ids), -1, np.int64)
    order = np.argsort(ids)
    at = np.clip(np.searchsorted(ids[order], photo_ids), 0, len(ids) - 1)
    return np.where(ids[order[at]] == photo_ids, order[at], -1)


def _expand(ids, found, check: _ColourCheck, poses) -> list[Found]:
    """Photo pairs from code pairs: within a code, each photo joins the first earlier one
    whose colours agree (else it starts a colour of its own); between two codes, every
    colour of one meets every colour of the other."""
    members, (ui, uj, dp, dd) = found
    involved = {int(k) for k in np.concatenate([ui, uj])} | set(members.shared())
    check.fetch([int(ids[i]) for k in involved for i in members[k]])
    reps: dict[int, list[int]] = {}
    pairs: list[Found] = []
    for k in sorted(involved):
        reps[k] = []
        for i in members[k].tolist():
            for r in reps[k]:
                pair = _pair(ids, r, i, 0, 0, check, poses)
                if pair is not None or poses is not None and poses[r] == poses[i]:
                    if pair is not None:
                        pairs.append(pair)
                    break
            else:
                reps[k].append(i)
    for a, b, p, d in zip(ui.tolist(), uj.tolist(), dp.tolist(), dd.tolist()):
        for ra in reps[a]:
            for rb in reps[b]:
                pair = _pair(ids, ra, rb, p, d, check, poses)
                if pair is not None:
                    pairs.append(pair)
    return pairs


def _pair(ids, i: int, j: int, p: int, d: int, check: _ColourCheck, poses) -> Found | None:
    """The photo pair (indices i, j) if it is near, with its reason."""
    turn = 0 if poses is None else fingerprint.relative_pose(int(poses[i]), int(poses[j]))
    if poses is not None and turn == 0:
        return None  # the same pose: the search as the photos stand decides
    a, b = int(ids[i]), int(ids[j])
    agree, how = check(a, b, turn)
    if not agree:
        check.rejected.update((a, b))
        return None
    words = [fingerprint.describe_pose(turn)] if turn else []
    words += [how] if how else []
    hashes = "identical perceptual hashes" if p == d == 0 else f"perceptual hashes {p}+{d} of 128 bits apart"
    reason = f"same picture{', ' if words else ''}{', '.join(words)} ({hashes})"
    return Found(a, b, p + d, reason, bool(how), check.shift(a, b, turn))


class ColourGuard:
    """Keeps a group to one colouring: a grayscale or toned copy agrees with the photo and
    with its colourway, so without this guard the two would meet through it. A group's
    anchor is its first member with colours of its own; two groups join only when their
    anchors agree (as they stand, or turned)."""

    def __init__(self, check: _ColourCheck, turns: dict[int, int], parts: _Parts | None = None):
        self.check, self.turns, self.parts = check, turns, parts

    def anchor(self, photo_id: int) -> bool:
        """Whether the photo has colours to compare (not grayscale): it counts in
        ``consensus``."""
        known = self.check.colours(photo_id, 0)
        return known is not None and known.rms >= colour.NEUTRAL

    def own_colours(self, photo_id: int) -> bool:
        """Whether the photo has colours of its own: not grayscale, not a sepia print (a
        single-hue photo, a green meadow, has its own: its colourways must not take its prints)."""
        known = self.check.colours(photo_id, 0)
        return known is not None and known.rms >= colour.NEUTRAL and not known.sepia

    def consensus(self, newcomers: list[int], members: list[int]) -> bool:
        """Whether every anchor of the group joining (``newcomers``) agrees with more than
        half of the anchors of the group it joins (``members``). A group's colouring is
        the one most of its members show: every copy of a photo agrees with the photo and
        with most other copies, while a colourway may agree with one of them (a cool
        white balance of a pale wood is as green as the wood turned 60°), never with most."""
        return all(2 * sum(self.compatible(x, y) for y in members) > len(members) for x in newcomers)

    def ambiguous(self, photo_id: int) -> bool:
        """A grayscale or toned photo whose structure also matched a photo its colours
        rule out (a toned copy of a single-hue photo looks like a colour change): it might
        belong to another picture's family, so it joins none."""
        return photo_id in self.check.rejected

    def compatible(self, a: int, b: int) -> bool:
        """Whether two photos agree in colour as they stand, turned, or one as a crop of
        the other (the part its hashes say it kept)."""
        if self.check(a, b, 0)[0]:
            return True
        ta, tb = self.turns.get(a, -1), self.turns.get(b, -1)
        if ta >= 0 and tb >= 0 and self.check(a, b, fingerprint.relative_pose(ta, tb))[0]:
            return True
        if self.parts is None:
            return False
        for x, y in ((a, b), (b, a)):
            kept = self.parts.kept(x, y)
            if kept is not None and self.check.part(x, y, *kept)[0]:
                return True
        return False


class _ColourCheck:
    """``colour.agree`` on stored grids, fetched once; a photo without one agrees."""

    def __init__(self, source: ColourSource | None):
        self.source, self.known = source, {}
        self.rejected: set[int] = set()  # photos the same in structure as one of other colours
        self._turned: dict[tuple[int, int], colour.Colours] = {}

    def fetch(self, photo_ids: list[int]) -> None:
        if self.source is not None:
            found = self.source([i for i in photo_ids if i not in self.known])
            self.known.update({i: (fingerprint.grid_array(grid), tone) for i, (grid, tone) in found.items()})

    def colours(self, photo_id: int, turn: int) -> colour.Colours | None:
        """The photo's colours turned by ``turn`` (computed once)."""
        if photo_id not in self.known:
            return None
        key = (photo_id, turn)
        if key not in self._turned:
            grid, tone = self.known[photo_id]
            self._turned[key] = colour.colours(fingerprint.apply_pose(grid, turn), tone)
        return self._turned[key]

    def part(self, a: int, b: int, window: int, crop: bool = True) -> tuple[bool, str]:
        """Whether photo B, a crop of part ``window`` of photo A, agrees in colour with it.
        The part's grid is resampled from A's, smoother than a crop's own: a crop's layout
        is held to ``colour.MIN_LAYOUT_PART``; a photo as close to A's whole frame as to
        the part (``crop`` false) to the rule of whole copies."""
        kept = self._part(a, window)
        if kept is None or b not in self.known:
            return True, ""
        return colour.agree_colours(kept, self.colours(b, 0), colour.MIN_LAYOUT_PART if crop else colour.MIN_LAYOUT)

    def _part(self, photo_id: int, window: int) -> colour.Colours | None:
        if photo_id not in self.known:
            return None
        grid, tone = self.known[photo_id]
        return colour.colours(colour.window(grid, fingerprint.WINDOWS[window]), tone)

    def shift(self, a: int, b: int, turn: int, window: int | None = None) -> float:
        """``colour.shift`` between A (turned, or its part ``window``) and B; 0 unknown."""
        ca = self.colours(a, turn) if window is None else self._part(a, window)
        cb = self.colours(b, 0)
        return 0.0 if ca is None or cb is None else colour.shift(ca, cb)

    def __call__(self, a: int, b: int, turn: int) -> tuple[bool, str]:
        ca, cb = self.colours(a, turn), self.colours(b, 0)
        if ca is None or cb is None:
            return True, ""
        return colour.agree_colours(ca, cb)
