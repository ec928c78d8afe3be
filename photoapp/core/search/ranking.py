"""Ranking photos against a query vector: the relevant ones (adaptive cut-off) or the top k,
with folder and date filters and a choice of order."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from photoapp.core.errors import InvalidInput
from photoapp.core.search.relevance import Cutoff, find_cutoff
from photoapp.core.store.catalog import Catalog

# A relevance decision: (scores, weights or None) -> Cutoff; see photoapp.core.search.relevance.
Decide = Callable[[np.ndarray, "np.ndarray | None"], Cutoff]

# Below this many candidate photos a filtered query is answered exactly from the
# catalog's vectors: cheaper than a filtered graph walk and never misses a photo.
EXACT_LIMIT = 20_000
# Up to this many photos the cut-off sees every score (one matrix product, ~10 ms);
# beyond, it sees the index's best CANDIDATES exactly plus a weighted random sample.
EXACT_ALL = 50_000
CANDIDATES = 2_000
BACKGROUND_SAMPLE = 20_000
SORTS = ("relevance", "date", "name")


@dataclass
class SearchHit:
    photo_id: int
    path: str
    score: float

    taken: float | None = None
    kind: str = "photo"  # photo | raw | video
    companion: str | None = None  # a RAW+JPEG pair's RAW file
    mtime: float = 0.0  # the file's, as catalogued: what a thumbnail cache is keyed on
    duration: float | None = None  # videos: seconds
    aspect: float | None = None  # width / height as displayed (None: unknown)

    def as_dict(self) -> dict:
        data = {"path": self.path, "score": round(float(self.score), 6), "taken": _iso(self.taken), "kind": self.kind}
        if self.companion:
            data["raw"] = self.companion
        return data


class Results(list):
    """Hits (a list, best first or in the order asked for), plus what the cut-off decided:
    ``total`` relevant photos before any ``k`` cap, and the ``cutoff`` (None: plain top k)."""

    def __init__(self, hits=(), total: int | None = None, cutoff: Cutoff | None = None, truncated: bool = False):
        super().__init__(hits)
        self.total = len(self) if total is None else total
        self.cutoff = cutoff
        self.truncated = truncated  # more photos may be relevant than the candidates held
        self.interpretation = None  # how the search bar's words were read (core/search/interpret.py)

    def summary(self) -> dict:
        return {
            "count": len(self),
            "total": self.total,
            "truncated": self.truncated,
            "cutoff": self.cutoff.as_dict() if self.cutoff else None,
        }


def _iso(when: float | None) -> str | None:
    return datetime.fromtimestamp(when).isoformat(timespec="seconds") if when is not None else None


@dataclass
class Filters:
    folder: str | None = None  # only photos under this folder (recursively)
    after: float | None = None  # taken at or after (POSIX time)
    before: float | None = None  # taken before
    kind: str | None = None  # photo | raw | video (a RAW+JPEG pair is raw)
    # From the search bar's words (core/search/interpret.py): taken in any of these date
    # spans (core/search/dates.py DateSpan), and in any of these places (PlaceRef).
    dates: tuple = ()
    places: tuple = ()
    people: tuple[int, ...] = ()  # only photos showing every one of these people (person ids)
    min_rating: int | None = None  # only photos with at least this many stars (1-5)
    favourites: bool = False  # only photos marked as favourites
    # Only photos whose GPS position lies in this box: (south, west, north, east) in degrees,
    # west > east across the date line (the world map's chosen area or marker).
    area: tuple[float, float, float, float] | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.folder, self.after, self.before, self.kind, self.area)) or bool(
            self.dates or self.places or self.people or self.min_rating or self.favourites
        )


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
    raise InvalidInput(f"not a date: {text!r} (use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM)")


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
    prefix = os.path.abspath(filters.folder).rstrip(os.sep) + os.sep if filters.folder else None
    ids = None
    if any(v is not None for v in (filters.folder, filters.after, filters.before, filters.kind)):
        ids = catalog.filtered_ids(prefix, filters.after, filters.before, filters.kind)
    if filters.dates or filters.places or filters.area:
        from photoapp.core.store.places import PlaceFilter, PlaceStore

        store = PlaceStore(catalog)
        if filters.area:
            inside = store.ids_in_area(*filters.area)
            ids = inside if ids is None else ids & inside
        if filters.dates:
            spans = set().union(*(store.ids_between(d.start, d.end, d.months) for d in filters.dates))
            ids = spans if ids is None else ids & spans
        if filters.places:
            refs = tuple((p.kind, p.name, p.country_code) for p in filters.places)
            held = store.ids_in(PlaceFilter(refs))
            ids = held if ids is None else ids & held
    if filters.people:
        from photoapp.core.store.faces import FaceStore

        faces = FaceStore(catalog)
        for person in filters.people:
            shown = faces.photo_ids_of(person)
            ids = shown if ids is None else ids & shown
    if filters.min_rating or filters.favourites:
        from photoapp.core.store.marks import MarkStore

        marked = MarkStore(catalog).filtered(filters.min_rating, filters.favourites)
        ids = marked if ids is None else ids & marked
    return ids


def rank(
    catalog: Catalog,
    index,
    model: str,
    query: np.ndarray,
    k: int,
    filters: Filters | None = None,
    exclude: set[int] | None = None,
    sort: str = "relevance",
) -> Results:
    """Top ``k`` photos for a unit query vector (no cut-off), then in the order asked for."""
    allowed = allowed_ids(catalog, filters or Filters())
    extra = len(exclude or ())
    if allowed is not None and len(allowed) <= EXACT_LIMIT:
        ids, scores = _exact(catalog, model, query, allowed, k + extra)
    else:
        ids, scores = index.query(query, k + extra, allowed)
    keep = [(int(i), float(s)) for i, s in zip(ids, scores) if not exclude or int(i) not in exclude][:k]
    return Results(_order(_hits(catalog, keep), sort))


def relevant(
    catalog: Catalog,
    index,
    model: str,
    query: np.ndarray,
    library_vectors,
    k: int | None = None,
    filters: Filters | None = None,
    exclude: set[int] | None = None,
    sort: str = "relevance",
    decide: Decide | None = None,
) -> Results:
    """The photos relevant to a unit query vector: ``decide`` (default: the structural
    ``find_cutoff``) draws the line on the scores over the whole library, the query's own
    photo (``exclude``) left out, so a filter narrows the answer and never moves the line;
    then filters, order and the ``k`` cap apply. ``library_vectors()`` gives (ids, vectors)
    of every embedded photo; it is only called for libraries up to EXACT_ALL photos."""
    decide = decide or (lambda scores, weights: find_cutoff(scores, weights))
    allowed = allowed_ids(catalog, filters or Filters())
    if len(index) <= EXACT_ALL:
        ids, vectors = library_vectors()
        scores = vectors @ query.astype(np.float32) if len(ids) else np.zeros(0, np.float32)
        if exclude:
            keep = ~np.isin(ids, list(exclude))
            ids, scores = ids[keep], scores[keep]
        cutoff = decide(scores, None)
        chosen = scores >= cutoff.threshold
        ids, scores, truncated = ids[chosen], scores[chosen], False
    else:
        ids, scores, cutoff, truncated = _relevant_at_scale(catalog, index, model, query, allowed, exclude, decide)
    keep = [
        (int(i), float(s))
        for i, s in zip(ids, scores)
        if (allowed is None or int(i) in allowed) and not (exclude and int(i) in exclude)
    ]
    keep.sort(key=lambda pair: -pair[1])
    hits = _order(_hits(catalog, keep), sort)
    return Results(hits[:k] if k is not None else hits, total=len(hits), cutoff=cutoff, truncated=truncated)


def listing(catalog: Catalog, filters: Filters, k: int | None = None, sort: str = "date") -> Results:
    """Every photo passing ``filters`` (a query that was only a place or a date), newest
    first (or by name); no scores to rank by, so "relevance" is the date too."""
    allowed = allowed_ids(catalog, filters)
    if allowed is None:
        raise InvalidInput("nothing to search for")
    hits = _order(_hits(catalog, [(i, 0.0) for i in allowed]), "name" if sort == "name" else "date")
    return Results(hits[:k] if k is not None else hits, total=len(hits))


def _relevant_at_scale(catalog, index, model, query, allowed, exclude, decide):
    """The decision on the index's best candidates plus a weighted random background sample."""
    cand_ids, cand_scores = index.query(query, min(CANDIDATES, len(index)))
    cand_ids, cand_scores = np.asarray(cand_ids, dtype=np.int64), np.asarray(cand_scores)
    if exclude:
        keep = ~np.isin(cand_ids, list(exclude))
        cand_ids, cand_scores = cand_ids[keep], cand_scores[keep]
    sample_ids, sample_vectors = background(catalog, index, model)
    sample_scores = sample_vectors @ query.astype(np.float32) if len(sample_ids) else np.zeros(0, np.float32)
    outside = ~np.isin(sample_ids, cand_ids)
    if exclude:
        outside &= ~np.isin(sample_ids, list(exclude))
    sample_scores = sample_scores[outside]  # the rest of the library only
    rest = len(index) - len(cand_ids) - len(exclude or ())
    weights = np.concatenate([np.ones(len(cand_ids)), np.full(len(sample_scores), rest / max(len(sample_scores), 1))])
    cutoff = decide(np.concatenate([cand_scores, sample_scores]), weights)
    if allowed is not None and len(allowed) <= EXACT_LIMIT:
        # A narrow filter: score its photos exactly, so none hides beyond the candidates.
        ids, vectors = catalog.embeddings(model, allowed)
        scores = vectors @ query.astype(np.float32) if len(ids) else np.zeros(0, np.float32)
        chosen = scores >= cutoff.threshold
        return ids[chosen], scores[chosen], cutoff, False
    chosen = cand_scores >= cutoff.threshold
    truncated = bool(chosen.all()) and rest > 0
    return cand_ids[chosen], cand_scores[chosen], cutoff, truncated


_BACKGROUND: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def background(catalog, index, model) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random sample of the library's embeddings, (ids, vectors). The same sample
    for every query (a saved search stays a stable album), read from the catalog once and
    kept while the index is unchanged: at 1M photos the reads cost more than the query."""
    key = (index.version, len(index), model, BACKGROUND_SAMPLE)
    cached = _BACKGROUND.get(index)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    ids = np.sort(np.fromiter(index.ids(), dtype=np.int64))
    rng = np.random.default_rng(0)
    sample = rng.choice(ids, size=min(BACKGROUND_SAMPLE, len(ids)), replace=False) if len(ids) else ids
    sample_ids, vectors = catalog.embeddings(model, sample.tolist())
    _BACKGROUND[index] = (key, sample_ids, vectors)
    return sample_ids, vectors


def _hits(catalog: Catalog, keep: list[tuple[int, float]]) -> list[SearchHit]:
    photos = catalog.photos_by_ids([i for i, _ in keep])
    return [
        SearchHit(
            i,
            photos[i].path,
            s,
            photos[i].taken,
            photos[i].kind,
            photos[i].companion,
            photos[i].mtime,
            photos[i].duration,
            photos[i].width / photos[i].height if photos[i].width and photos[i].height else None,
        )
        for i, s in keep
        if i in photos
    ]


def _order(hits: list[SearchHit], sort: str) -> list[SearchHit]:
    """relevance: best first; date: newest first (undated last); name: file name A-Z."""
    if sort == "relevance":
        return hits
    if sort == "date":
        return sorted(hits, key=lambda h: (h.taken is None, -(h.taken or 0.0)))
    if sort == "name":
        return sorted(hits, key=lambda h: (os.path.basename(h.path).casefold(), h.path))
    raise InvalidInput(f"unknown sort {sort!r} (choose from {', '.join(SORTS)})")


def _exact(catalog: Catalog, model: str, query: np.ndarray, allowed: set[int], k: int):
    ids, vectors = catalog.embeddings(model, allowed)
    if len(ids) == 0:
        return ids, np.zeros(0, np.float32)
    scores = vectors @ query.astype(np.float32)
    order = np.argsort(-scores, kind="stable")[:k]
    return ids[order], scores[order]
