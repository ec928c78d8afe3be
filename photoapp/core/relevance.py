"""Where a result list ends: an adaptive, per-query relevance cut-off.

Raw CLIP cosines of matches and non-matches are close, and their scale differs per query
and per model, so no fixed threshold works. Instead each query's scores over the whole
library are read as groups: unrelated photos, photos that share part of the query (the
colour but not the shape, the beach but not the dog), and, if anything matches, a top
group of relevant ones. Two tests decide, and a photo is relevant if either says so:

1. **A distinct top group.** Otsu's method splits the scores where the between-group
   variance is largest; splitting the upper group again and again gives the nested
   levels "library -> red things and circles -> red circles -> ...". At each level with at
   least ``MIN_GROUP`` photos above the split, the *separation* is the empty gap at the
   split divided by the spread (interquartile range) of the group above it. The level
   that separates best wins if its separation is at least ``MIN_SEPARATION``: its photos
   sit together, clearly apart from everything below.
2. **Outliers over the background.** Photos scoring at least ``OUTLIER_Z`` robust sigmas
   (median and MAD of the library's scores) above the median. This catches relevant
   photos that form a tail rather than a cluster (few matches in a large real library),
   and keeps a query that matches nothing ("dog" in a library of shapes: one flat band
   of scores) from returning anything.

**Strictness** (a per-library setting, -1 loose .. +1 strict) moves the threshold from the
middle of the gap up toward the relevant group's mean, or down toward the group below
(for the outlier test: by one robust sigma per unit).

Large libraries pass the exact top candidates plus a weighted random sample of the rest,
so the levels and the background see the true shape of the distribution at a fraction of
the cost. Validation: ``python -m photoapp.toy.evaluate`` (cut-off section) and
tests/core/test_relevance.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_GROUP = 5  # groups this large on both sides of a split are compared by their overlap
MIN_SEPARATION = 1.0
MIN_GAP_RATIO = 3.0  # an empty gap 3x the spread of the group above it ...
MIN_GAP_SIGMA = 0.5  # ... and half a robust sigma of the library's scores wide
MAX_DEPTH = 8
OUTLIER_Z = 4.0
MIN_SPREAD = 1e-6
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Cutoff:
    threshold: float
    method: str  # "group" (a distinct top group), "outliers", or "none" (empty library)
    separation: float  # of the best level (0 when none qualified)

    def as_dict(self) -> dict:
        return {"threshold": round(self.threshold, 6), "method": self.method,
                "separation": round(self.separation, 3)}


@dataclass(frozen=True)
class _Level:
    threshold: float  # middle of the gap
    upper: int  # photos above the split (the ``upper`` highest scores)
    separation: float  # how little the groups overlap (0 if either is under MIN_GROUP)
    gap_ratio: float  # the empty gap over the upper group's spread
    gap: float
    mean_hi: float
    mean_lo: float


def _otsu(x: np.ndarray, w: np.ndarray) -> tuple[int, float, float] | None:
    """Best two-group split of descending scores ``x`` (weights ``w``):
    (size of the upper group, its mean, the lower group's mean)."""
    if len(x) < 2 or x[0] - x[-1] < MIN_SPREAD:
        return None
    cw = np.cumsum(w)[:-1]  # weight of the upper group for each split position
    cs = np.cumsum(w * x)[:-1]
    total_w, total_s = float(np.sum(w)), float(np.sum(w * x))
    mean_hi = cs / cw
    mean_lo = (total_s - cs) / (total_w - cw)
    between = cw * (total_w - cw) * (mean_hi - mean_lo) ** 2
    between[x[:-1] == x[1:]] = -1.0  # a split must fall between different scores
    best = int(np.argmax(between))
    return best + 1, float(mean_hi[best]), float(mean_lo[best])


def levels(x: np.ndarray, w: np.ndarray) -> list[_Level]:
    """The nested Otsu levels of descending scores ``x``, down to groups of two."""
    out = []
    while len(out) < MAX_DEPTH:
        split = _otsu(x, w)
        if split is None or split[0] < 2:
            break
        k, mean_hi, mean_lo = split
        hi, lo = (x[:k], w[:k]), (x[k:], w[k:])
        q = _quantile_of_descending
        spread_hi = q(*hi, 0.75) - q(*hi, 0.25)
        overlap = q(*hi, 0.10) - q(*lo, 0.90)
        big = min(k, len(lo[0])) >= MIN_GROUP
        separation = overlap / max(spread_hi + q(*lo, 0.75) - q(*lo, 0.25), MIN_SPREAD) if big else 0.0
        gap = x[k - 1] - x[k]
        out.append(_Level(float((x[k - 1] + x[k]) / 2), k, float(separation), float(gap / max(spread_hi, MIN_SPREAD)),
                          float(gap), mean_hi, mean_lo))
        x, w = hi
    return out


def find_cutoff(scores: np.ndarray, weights: np.ndarray | None = None, strictness: float = 0.0) -> Cutoff:
    """The relevance threshold for one query's ``scores`` over the library.

    ``weights`` (default 1) let a random sample stand for the many photos it was drawn
    from; the relevant photos are those scoring at or above ``threshold``.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        return Cutoff(float("inf"), "none", 0.0)
    w = np.ones(len(scores)) if weights is None else np.asarray(weights, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    x, w = scores[order], w[order]
    strictness = float(np.clip(strictness, -1.0, 1.0))
    median = _weighted_quantile(x, w, 0.5)
    sigma = max(_weighted_quantile(np.abs(x - median), w, 0.5) * _MAD_TO_SIGMA, MIN_SPREAD)
    outliers = median + (OUTLIER_Z + strictness) * sigma
    found = levels(x, w)
    clean = [level.gap_ratio >= MIN_GAP_RATIO and level.gap >= MIN_GAP_SIGMA * sigma for level in found]
    at = _best_level(found, clean)
    if at is None:
        best_sep = max((level.separation for level in found), default=0.0)
        return Cutoff(float(outliers), "outliers", best_sep)
    separation = found[at].separation
    while at + 1 < len(found) and clean[at + 1]:
        at += 1  # a clean gap inside the group: what fell below it only shared part of the query
    best = found[at]
    target = best.mean_hi if strictness > 0 else best.mean_lo
    group = best.threshold + abs(strictness) * (target - best.threshold)
    if outliers < group:
        return Cutoff(float(outliers), "outliers", separation)
    return Cutoff(float(group), "group", separation)


def _best_level(found: list[_Level], clean: list[bool]) -> int | None:
    """The level whose groups overlap least, if clearly apart; else the coarsest level
    with a clean empty gap below its group (small groups, or stragglers just below)."""
    at = max(range(len(found)), key=lambda i: found[i].separation, default=None)
    if at is not None and found[at].separation >= MIN_SEPARATION:
        return at
    return next((i for i, ok in enumerate(clean) if ok), None)


def _weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x, kind="stable")
    return _quantile_of_ascending(x[order], w[order], q)


def _quantile_of_descending(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """_weighted_quantile of scores already sorted best first (the levels' groups), without
    sorting again: a query at scale asks for dozens of these."""
    return _quantile_of_ascending(x[::-1], w[::-1], q)


def _quantile_of_ascending(x: np.ndarray, w: np.ndarray, q: float) -> float:
    cum = np.cumsum(w)
    return float(x[min(np.searchsorted(cum, q * cum[-1]), len(x) - 1)])
