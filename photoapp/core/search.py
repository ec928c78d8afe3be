"""Ranking photos against a query vector, with folder and date filters."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from photoapp.core.catalog import Catalog

# Below this many candidate photos a filtered query is answered exactly from the
# catalog's vectors: cheaper than a filtered graph walk and never misses a photo.
EXACT_LIMIT = 20_000


@dataclass
class SearchHit:
    photo_id: int
    path: str
    score: float

    def as_dict(self) -> dict:
        return {"path": self.path, "score": round(float(self.score), 6)}


@dataclass
class Filters:
    folder: str | None = None  # only photos under this folder (recursively)
    after: float | None = None  # taken at or after (POSIX time)
    before: float | None = None  # taken before

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.folder, self.after, self.before))


def parse_date(text: str, end_of_day: bool = False) -> float:
    """'2024', '2024-05', '2024-05-17' or an ISO datetime -> POSIX time (local)."""
    text = text.strip()
    formats = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%Y-%m", "%Y")
    for fmt in formats:
        try:
            when = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if end_of_day and fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
            when = _next_period(when, fmt)
        return when.timestamp()
    raise ValueError(f"not a date: {text!r} (use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM)")


def _next_period(when: datetime, fmt: str) -> datetime:
    from datetime import timedelta

    if fmt == "%Y":
        return when.replace(year=when.year + 1)
    if fmt == "%Y-%m":
        return when.replace(year=when.year + (when.month == 12), month=when.month % 12 + 1)
    return when + timedelta(days=1)


def allowed_ids(catalog: Catalog, filters: Filters) -> set[int] | None:
    """Ids of photos passing the filters, or None when nothing is filtered."""
    if not filters.active:
        return None
    where, args = [], []
    if filters.folder:
        prefix = os.path.abspath(filters.folder).rstrip(os.sep) + os.sep
        where.append("substr(path, 1, ?) = ?")
        args += [len(prefix), prefix]
    if filters.after is not None:
        where.append("taken >= ?")
        args.append(filters.after)
    if filters.before is not None:
        where.append("taken < ?")
        args.append(filters.before)
    sql = "SELECT id FROM photos WHERE " + " AND ".join(where)
    return {row[0] for row in catalog.db.execute(sql, args)}


def rank(catalog: Catalog, index, model: str, query: np.ndarray, k: int,
         filters: Filters | None = None, exclude: set[int] | None = None) -> list[SearchHit]:
    """Top ``k`` photos for a unit query vector, best first."""
    allowed = allowed_ids(catalog, filters or Filters())
    extra = len(exclude or ())
    if allowed is not None and len(allowed) <= EXACT_LIMIT:
        ids, scores = _exact(catalog, model, query, allowed, k + extra)
    else:
        ids, scores = index.query(query, k + extra, allowed)
    keep = [(int(i), float(s)) for i, s in zip(ids, scores) if not exclude or int(i) not in exclude][:k]
    photos = catalog.photos_by_ids([i for i, _ in keep])
    return [SearchHit(i, photos[i].path, s) for i, s in keep if i in photos]


def _exact(catalog: Catalog, model: str, query: np.ndarray, allowed: set[int], k: int):
    ids, vectors = catalog.embeddings(model, allowed)
    if len(ids) == 0:
        return ids, np.zeros(0, np.float32)
    scores = vectors @ query.astype(np.float32)
    order = np.argsort(-scores, kind="stable")[:k]
    return ids[order], scores[order]
