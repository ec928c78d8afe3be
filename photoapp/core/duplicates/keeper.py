"""Which copy of a duplicate group to keep, and why.

The rule, in order (each step only breaks the previous step's ties):
0. a RAW+JPEG pair (its RAW is the original; pairs are never trashed);
1. the most pixels (a resized export loses detail for good);
2. the sharpest (variance of the Laplacian), counting scores within 10 % as equal, since
   recompression moves them a little either way;
3. the largest file (less compression), then the better format (lossless > HEIF > JPEG
   > WebP > the rest);
4. the oldest file (the original is usually the one that was there first), then the
   path that does not look like a copy, then the shortest path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from photoapp.core.store.catalog import Photo
from photoapp.core.units import human_size

SHARPNESS_TOLERANCE = 0.10
_FORMAT_RANK = {"PNG": 5, "TIFF": 5, "HEIF": 4, "HEIC": 4, "JPEG": 3, "MPO": 3, "WEBP": 2}
_COPY_NAME = re.compile(r"(copy|kopie|copie|\(\d+\)|[-_ ]\d+$|-edited|_edit)", re.IGNORECASE)


def _pixels(p: Photo) -> int:
    return (p.width or 0) * (p.height or 0)


def _looks_like_copy(p: Photo) -> bool:
    return bool(_COPY_NAME.search(os.path.splitext(os.path.basename(p.path))[0]))


def _best(photos: list[Photo], key: Callable[[Photo], float]) -> list[Photo]:
    top = max(key(p) for p in photos)
    return [p for p in photos if key(p) == top]


@dataclass
class Quality:
    """What the fingerprints tell of each photo (by id): sharpness, exposure (0..1) and
    whether it carries its camera's capture time (metadata a stripped copy lost)."""

    sharpness: dict[int, float] = field(default_factory=dict)
    exposure: dict[int, float] = field(default_factory=dict)
    dated: set[int] = field(default_factory=set)


def choose(photos: Sequence[Photo], quality: Quality | dict[int, float] | None = None) -> tuple[Photo, str]:
    """(keeper, reason) for a group of two or more copies of one picture."""
    if not isinstance(quality, Quality):
        quality = Quality(dict(quality or {}))
    sharpness = quality.sharpness
    steps: list[tuple[str, Callable[[list[Photo]], list[Photo]], Callable[[Photo], str]]] = [
        ("highest resolution", lambda ps: _best(ps, _pixels), lambda p: f"{p.width}x{p.height}"),
        ("sharpest", lambda ps: _sharpest(ps, sharpness), lambda p: f"sharpness {sharpness.get(p.id, 0):.0f}"),
        (
            "has camera metadata",
            lambda ps: _best(ps, lambda p: int(p.id in quality.dated or bool(p.taken_from_exif))),
            lambda p: "capture time kept",
        ),
        ("largest file", lambda ps: _best(ps, lambda p: p.size), lambda p: human_size(p.size) + ", least recompressed"),
        (
            "best format",
            lambda ps: _best(ps, lambda p: _FORMAT_RANK.get((p.format or "").upper(), 1)),
            lambda p: p.format or "unknown format",
        ),
        ("oldest file", lambda ps: _best(ps, lambda p: -p.mtime), lambda p: "first on disk"),
        ("original name", lambda ps: _best(ps, lambda p: -int(_looks_like_copy(p))), lambda p: "not named like a copy"),
        ("shortest path", lambda ps: _best(ps, lambda p: -len(p.path)), lambda p: "shortest path"),
    ]
    return _run(list(photos), steps)


def choose_burst(photos: Sequence[Photo], quality: Quality) -> tuple[Photo, str]:
    """(keeper, reason) for other shots of one moment: the sharpest, then the best exposed,
    then as for copies."""
    sharp, exposed = quality.sharpness, quality.exposure
    steps = [
        ("sharpest", lambda ps: _sharpest(ps, sharp), lambda p: f"sharpness {sharp.get(p.id, 0):.0f}"),
        (
            "best exposed",
            lambda ps: _close_best(ps, exposed, 0.03),
            lambda p: f"{exposed.get(p.id, 0) * 100:.0f} % well-exposed",
        ),
        ("highest resolution", lambda ps: _best(ps, _pixels), lambda p: f"{p.width}x{p.height}"),
        ("largest file", lambda ps: _best(ps, lambda p: p.size), lambda p: human_size(p.size)),
        ("shortest path", lambda ps: _best(ps, lambda p: -len(p.path)), lambda p: "shortest path"),
    ]
    return _run(list(photos), steps)


def _close_best(photos: list[Photo], score: dict[int, float], tolerance: float) -> list[Photo]:
    if any(score.get(p.id) is None for p in photos):
        return photos
    top = max(score[p.id] for p in photos)
    return [p for p in photos if score[p.id] >= top - tolerance]


def _run(left: list[Photo], steps: list) -> tuple[Photo, str]:
    if any(p.companion for p in left):  # a RAW+JPEG pair is never what a group trashes (duplicates.find)
        steps.insert(
            0, ("RAW+JPEG pair", lambda ps: _best(ps, lambda p: int(bool(p.companion))), lambda p: "keeps the RAW file")
        )
    ties: list[str] = []
    for name, narrow, describe in steps:
        kept = narrow(left)
        if len(kept) == 1:
            keeper = kept[0]
            prefix = f"same {', '.join(ties)}; " if ties else ""
            return keeper, f"{prefix}{name} ({describe(keeper)})"
        left = kept
        ties.append(_tie_name(name))
    keeper = min(left, key=lambda p: p.path)
    return keeper, "identical in every respect; first by path"


def _sharpest(photos: list[Photo], sharpness: dict[int, float]) -> list[Photo]:
    known = [sharpness[p.id] for p in photos if sharpness.get(p.id) is not None]
    if len(known) < len(photos):
        return photos  # cannot compare what was never measured
    top = max(known)
    return [p for p in photos if sharpness[p.id] >= top * (1.0 - SHARPNESS_TOLERANCE)]


def _tie_name(step: str) -> str:
    return {
        "RAW+JPEG pair": "pairing",
        "highest resolution": "resolution",
        "sharpest": "sharpness",
        "largest file": "size",
        "best format": "format",
        "has camera metadata": "metadata",
        "best exposed": "exposure",
        "oldest file": "age",
        "original name": "naming",
    }.get(step, step)
