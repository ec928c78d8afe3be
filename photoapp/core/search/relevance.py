"""Where a result list ends: one relevance decision for text queries, one for find-similar.

A CLIP score means little on its own. With a real model (``openai/clip-vit-base-patch32``)
a caption scores about 0.32 with the photo it describes and 0.17 +- 0.05 with the others:
the relevant photos form a *tail* a few hundredths above everything else. With the tiny toy
model they form a separate *cluster*. Neither scale is known in advance, so each decision
reads it from the model and the library themselves (``Calibration``):

**Text queries** (``decide_text``). The caption bank (``photoapp.core.embedding.bank``: a few hundred
generic everyday captions, embedded once per model) is scored against a sample of the
library; those scores are what "some ordinary description vs. these photos" looks like for
this model. Three tests, all in those units:

1. *Does the query tell photos apart at all?* If its scores over the library spread less
   than ``FLAT`` of a bank caption's typical spread (10th to 90th percentile), it is one
   flat band ("dog" in a library of shapes, "a photo"): nothing is relevant.
2. *The tail* (real models): a photo is relevant when it scores at least as high as the top
   ``TAIL_SHARE`` of all bank-caption/photo pairs (a level ordinary captions reach only with
   photos they describe) **and** within ``NEAR_TEXT`` bank standard deviations of the
   query's best photo (where the matches end, the scores fall away from the best).
3. *The structure* (clustered models): the nested Otsu levels and robust outliers of
   ``find_cutoff`` below; photos in a distinct top group, or far out over the background,
   are relevant too.

A photo is relevant if test 2 or test 3 says so (and test 1 passed).

**Find-similar** (``decide_image``; also any query with an image term). Photo-to-photo
cosines live on another scale (0.5-0.95 for CLIP), and the user asked for *the closest*, so
there is no absolute floor: a photo is similar when it is within ``NEAR_IMAGE`` standard
deviations of the library's photo-to-photo cosines of the best match. Copies of the photo
(cosine >= ``COPY``) are always listed and do not set the reference, so a burst or a
duplicate does not hide everything else.

Measured on real ViT-B/32 embeddings (``shared/real-clip``, 500 Flickr8k photos, see README)
and on held-out toy libraries; figures in README.md ("How search decides where results
end"). **Strictness** (per library, -1 loose .. +1 strict) shrinks or widens the tail share
(x4 per unit), the near bands (x0.5 .. x1.5) and moves the structural line.

Large libraries pass the exact top candidates plus a weighted random sample of the rest,
so every statistic sees the true shape of the distribution at a fraction of the cost.
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

# The text and image decisions (see the module docstring). Chosen on the shape of the
# problem: a tail share of 4 % is the level ordinary captions reach with photos they
# describe; the near bands follow from the spread of a description's matches.
TAIL_SHARE = 0.04
NEAR_TEXT = 1.3
NEAR_IMAGE = 0.4
FLAT = 0.25
COPY = 0.99
CALIBRATION_PHOTOS = 2_000  # library sample the bank is scored against
PAIR_PHOTOS = 1_000  # library sample whose photo-to-photo cosines give the image scale


@dataclass(frozen=True)
class Cutoff:
    threshold: float
    method: str  # "group" (a distinct top group), "outliers", "tail", "near", "flat" or "none" (empty library)
    separation: float  # of the best level (0 when none qualified)

    def as_dict(self) -> dict:
        return {"threshold": round(self.threshold, 6), "method": self.method, "separation": round(self.separation, 3)}


@dataclass(frozen=True)
class Calibration:
    """What a model's scores look like over one library (see ``calibrate``)."""

    bank_scores: np.ndarray  # sorted ascending: every bank caption against every sampled photo
    bank_sd: float  # their standard deviation: the text decision's unit
    bank_spread: float  # median over bank captions of their 10th-90th percentile spread
    pair_sd: float  # standard deviation of photo-to-photo cosines: the image decision's unit

    def floor(self, strictness: float = 0.0) -> float:
        """The level the top ``TAIL_SHARE`` of bank-caption/photo pairs reach."""
        share = TAIL_SHARE * 4.0 ** -float(np.clip(strictness, -1.0, 1.0))
        if not len(self.bank_scores):
            return float("-inf")
        at = (1.0 - min(share, 1.0)) * (len(self.bank_scores) - 1)  # sorted: no re-sort per query
        lo = int(np.floor(at))
        hi = min(lo + 1, len(self.bank_scores) - 1)
        return float(self.bank_scores[lo] + (at - lo) * (self.bank_scores[hi] - self.bank_scores[lo]))


def calibrate(bank: np.ndarray, photos: np.ndarray, seed: int = 0) -> Calibration:
    """Learn a model's score scale on a library: ``bank`` (captions, unit rows) against a
    sample of ``photos`` (unit rows of image embeddings). Deterministic for given inputs."""
    bank = np.asarray(bank, dtype=np.float32)
    photos = np.asarray(photos, dtype=np.float32)
    rng = np.random.default_rng(seed)
    if len(photos) > CALIBRATION_PHOTOS:
        photos = photos[np.sort(rng.choice(len(photos), CALIBRATION_PHOTOS, replace=False))]
    if not len(photos):
        return Calibration(np.zeros(0, np.float32), MIN_SPREAD, 0.0, MIN_SPREAD)
    pairs = photos[:PAIR_PHOTOS]
    sims = pairs @ pairs.T
    off = sims[~np.eye(len(pairs), dtype=bool)]
    pair_sd = max(float(off.std()), MIN_SPREAD) if len(off) else MIN_SPREAD
    if not len(bank):  # find-similar only: no text scale needed
        return Calibration(np.zeros(0, np.float32), MIN_SPREAD, 0.0, pair_sd)
    scores = bank @ photos.T
    spread = np.quantile(scores, 0.9, axis=1) - np.quantile(scores, 0.1, axis=1)
    return Calibration(
        np.sort(scores, axis=None), max(float(scores.std()), MIN_SPREAD), float(np.median(spread)), pair_sd
    )


def decide_text(
    scores: np.ndarray, calibration: Calibration, weights: np.ndarray | None = None, strictness: float = 0.0
) -> Cutoff:
    """The relevance threshold for a text query's ``scores`` over the library."""
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        return Cutoff(float("inf"), "none", 0.0)
    w = np.ones(len(scores)) if weights is None else np.asarray(weights, dtype=np.float64)
    strictness = float(np.clip(strictness, -1.0, 1.0))
    spread = _weighted_quantile(scores, w, 0.9) - _weighted_quantile(scores, w, 0.1)
    if spread < FLAT * calibration.bank_spread:
        return Cutoff(float("inf"), "flat", 0.0)
    near = NEAR_TEXT * (1.0 - 0.5 * strictness) * calibration.bank_sd
    tail = max(calibration.floor(strictness), float(scores.max()) - near)
    structure = find_cutoff(scores, w, strictness)
    if structure.threshold < tail:
        return structure
    return Cutoff(tail, "tail", structure.separation)


def decide_image(scores: np.ndarray, calibration: Calibration, strictness: float = 0.0) -> Cutoff:
    """The threshold for find-similar (and queries with an image term): the photos about as
    close as the closest one that is not a copy."""
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) == 0:
        return Cutoff(float("inf"), "none", 0.0)
    strictness = float(np.clip(strictness, -1.0, 1.0))
    others = scores[scores < COPY]
    best = float(others.max()) if len(others) else float(scores.max())
    near = NEAR_IMAGE * (1.0 - 0.5 * strictness) * calibration.pair_sd
    return Cutoff(min(best - near, COPY), "near", 0.0)


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
        out.append(
            _Level(
                float((x[k - 1] + x[k]) / 2),
                k,
                float(separation),
                float(gap / max(spread_hi, MIN_SPREAD)),
                float(gap),
                mean_hi,
                mean_lo,
            )
        )
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
