"""Search, wired by the Library: queries and find-similar against the searching model's
vector index, with the relevance cut-off calibrated on this library.

Receives the catalog, the vector indexes, the searching model (name and embedder
provider), the settings (strictness) and the caption bank provider (the copy tagging
calibrates on too).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from photoapp.config import Settings
from photoapp.core.embedding.base import Embedder
from photoapp.core.errors import LibraryError, NotIndexed
from photoapp.core.search import relevance
from photoapp.core.search.interpret import (
    Interpretation,
    PlaceRef,
    PlaceResolver,
    Resolver,
    date_resolver,
    interpret,
)
from photoapp.core.search.query import combine as combine_query
from photoapp.core.search.query import parse as parse_query
from photoapp.core.search.ranking import EXACT_ALL, Filters, Results, background, listing, rank, relevant
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.indexes import IndexRegistry
from photoapp.core.store.places import PlaceStore


class Search:
    def __init__(
        self,
        catalog: Catalog,
        indexes: IndexRegistry,
        model: Callable[[], str],
        embedder: Callable[[], Embedder],
        settings: Settings,
        bank: Callable[[], np.ndarray],
    ):
        self.catalog, self.indexes = catalog, indexes
        self.model, self.embedder = model, embedder
        self.settings = settings
        self.bank = bank
        self._vectors_cache = None
        self._calibrations: dict = {}
        self._places = None
        # More kinds of names the search bar understands (people: issue 27), each a resolver
        # (see core/search/interpret.py), tried after dates and places.
        self.resolvers: list[Resolver] = []

    def warm(self) -> None:
        """Load the model and its text tower, and calibrate on this library (see Library.prepare_search).
        Nothing for a library without photos (its first search has nothing to find)."""
        if self.catalog.count_photos() == 0:
            return
        self.embedder().load().embed_texts(["a photo"])  # the text tower's session is created on first use
        if self.catalog.count_embedded(self.model()) > 0:
            self.calibration(with_bank=True)

    def require_embeddings(self) -> None:
        model = self.model()
        if self.catalog.count_embedded(model) == 0 and self.catalog.count_photos() > 0:
            raise NotIndexed(f"no photos are embedded with {model} yet; run: photoapp --model {model} index")

    def interpret(self, text: str, today: date | None = None) -> Interpretation:
        """How the search bar reads ``text``: date and place words as filters, the rest for CLIP."""
        resolvers = [date_resolver, self.place_resolver(), *self.resolvers]
        return interpret(text, today or date.today(), resolvers)

    def place_resolver(self) -> PlaceResolver:
        """The library's place names, read again only when they change."""
        store = PlaceStore(self.catalog)
        version = store.names_version()
        if self._places is None or self._places[0] != version:
            countries = store.country_names()

            def label(ref: PlaceRef) -> str:
                return countries.get(ref.name, ref.name) if ref.kind == "country" else ref.name

            self._places = (version, PlaceResolver(store.names(), label))
        return self._places[1]

    def search(
        self,
        text: str,
        k: int | None = None,
        filters: Filters | None = None,
        sort: str = "relevance",
        cutoff: bool = True,
        understand: bool = True,
    ) -> Results:
        """See Library.search."""
        meaning = self.interpret(text) if understand else None
        if meaning is not None and meaning.chips:
            filters = replace(
                filters or Filters(),
                dates=(*(filters.dates if filters else ()), *meaning.dates),
                places=(*(filters.places if filters else ()), *meaning.places),
                people=(*(filters.people if filters else ()), *meaning.people),
            )
            if not meaning.text:
                results = listing(self.catalog, filters, k, sort)
                results.interpretation = meaning
                return results
            text = meaning.text
        if not text.strip() and filters is not None and filters.people:
            results = listing(self.catalog, filters, k, sort)  # a person's photos, no words
        else:
            results = self._search_text(text, k, filters, sort, cutoff)
        results.interpretation = meaning
        return results

    def _search_text(self, text, k, filters, sort, cutoff) -> Results:
        terms = parse_query(text)  # InvalidInput (a LibraryError) for a query it cannot take
        self.require_embeddings()
        texts = sorted({t.text for t in terms if not t.is_image})
        text_vectors = dict(zip(texts, self.embedder().embed_queries(texts))) if texts else {}
        image_vectors = {t.text: self.image_vector(t.text) for t in terms if t.is_image}
        vector = combine_query(terms, text_vectors, image_vectors)
        kind = "image" if image_vectors else "text"  # a photo in the query: find-similar's decision
        return self._rank(vector, k, filters, sort, cutoff, kind=kind)

    def similar(
        self,
        path: str | os.PathLike,
        k: int | None = None,
        filters: Filters | None = None,
        sort: str = "relevance",
        cutoff: bool = True,
    ) -> Results:
        """See Library.similar."""
        self.require_embeddings()
        path = os.path.abspath(os.fspath(path))
        photo = self.catalog.photo_at(path)
        exclude = {photo.id} if photo else None
        return self._rank(self.image_vector(path), k, filters, sort, cutoff, exclude, kind="image")

    def _rank(self, vector, k, filters, sort, cutoff, exclude=None, kind="text") -> Results:
        model = self.model()
        index = self.indexes.get(model)
        if not cutoff:
            return rank(self.catalog, index, model, vector, 20 if k is None else k, filters, exclude, sort)
        return relevant(
            self.catalog, index, model, vector, self.library_vectors, k, filters, exclude, sort, self.decision(kind)
        )

    def decision(self, kind: str = "text"):
        """The relevance decision of the searching model for ``kind`` ("text" or "image"):
        (scores, weights) -> Cutoff, calibrated on this library (photoapp.core.search.relevance)."""
        calibration = self.calibration(with_bank=kind == "text")
        strictness = self.settings.strictness
        if kind == "text":
            return lambda scores, weights: relevance.decide_text(scores, calibration, weights, strictness)
        return lambda scores, weights: relevance.decide_image(scores, calibration, strictness)

    def calibration(self, with_bank: bool = True) -> relevance.Calibration:
        """The model's score scale on this library: the caption bank (embedded once per model,
        cached in the library) against a sample of the photos; kept until the index changes."""
        model = self.model()
        index = self.indexes.get(model)
        key = (model, id(index), index.version, len(index))
        for bank_too in (True,) if with_bank else (False, True):
            cached = self._calibrations.get(bank_too)
            if cached is not None and cached[0] == key:
                return cached[1]
        if len(index) <= EXACT_ALL:
            _, photos = self.library_vectors()
        else:
            _, photos = background(self.catalog, index, model)
        bank = np.zeros((0, photos.shape[1] if photos.ndim == 2 else 0), np.float32)
        if with_bank:
            bank = self.bank()  # the one copy tagging calibrates on too
        calibration = relevance.calibrate(bank, photos)
        self._calibrations[with_bank] = (key, calibration)
        return calibration

    def library_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every embedding of the searching model, cached until the catalog's change."""
        model = self.model()
        version = (model, *self.catalog.embeddings_version(model))
        if self._vectors_cache is None or self._vectors_cache[0] != version:
            self._vectors_cache = (version, self.catalog.embeddings(model))
        return self._vectors_cache[1]

    def image_vector(self, path: str) -> np.ndarray:
        """A catalogued photo's stored embedding, else the file embedded now."""
        photo = self.catalog.photo_at(path)
        vector = self.catalog.embedding(photo.id, self.model()) if photo else None
        return vector if vector is not None else self.embed_file(path)

    def embed_file(self, path: str) -> np.ndarray:
        from photoapp.core.media.decoding import DecodeError, decode_for_model

        if not os.path.exists(path):
            raise LibraryError(f"no such file: {path}")
        embedder = self.embedder()
        try:
            arr, _ = decode_for_model(Path(path), embedder.spec)
        except DecodeError as exc:
            raise LibraryError(f"cannot read {path}: {exc}") from None
        if arr.ndim == 4:  # a video's frames: the normalised mean, as the indexer stores it
            mean = embedder.embed_pixels(arr).mean(axis=0)
            return mean / max(float(np.linalg.norm(mean)), 1e-12)
        return embedder.embed_pixels(arr[None])[0]
