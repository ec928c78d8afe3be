"""The vector index of each model a library has loaded, kept in step with the catalog.

An index is a cache of the catalog's embeddings: loaded from ``index/<model>.hnsw``, or
rebuilt from the catalog when it is missing, unreadable or disagrees with it. One lock
guards every loaded index: the indexer's thread adds while a search or a resolve runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from photoapp.config import Settings
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.hnsw_file import IndexFileDamaged
from photoapp.core.store.vector_index import HnswParams, VectorIndex, index_stem


class IndexRegistry:
    """Loaded vector indexes by model, over one catalog and a library's ``index`` folder."""

    def __init__(
        self,
        catalog: Catalog,
        folder: Path,
        settings: Settings,
        dim_of: Callable[[str], int],
        warn: Callable[[str], None] = lambda message: None,
    ):
        self.catalog = catalog
        self.folder = Path(folder)
        self.settings = settings  # the active model (removals reach its index) and HNSW parameters
        self._dim_of = dim_of  # a model's dimension when the catalog holds none of its vectors
        self._warn = warn  # a damaged index file, rebuilt: one line for the person
        self._indexes: dict[str, VectorIndex] = {}
        self._lock = threading.RLock()
        self._last_save = time.monotonic()

    def file(self, model: str) -> Path:
        return self.folder / f"{index_stem(model)}.hnsw"

    def params(self) -> HnswParams:
        return HnswParams.from_settings(self.settings)  # an index built with others is rebuilt

    def models(self) -> list[str]:
        """The models whose index is loaded."""
        with self._lock:
            return list(self._indexes)

    def get(self, model: str, dim: int | None = None) -> VectorIndex:
        """``model``'s index, loaded, or rebuilt from the catalog."""
        with self._lock:
            if model not in self._indexes:
                self._indexes[model] = self._load_or_rebuild(model, dim)
            return self._indexes[model]

    def ids(self, model: str) -> set[int]:
        """The photo ids in ``model``'s index."""
        return self.get(model).ids()

    def stored(self, model: str, dim: int) -> VectorIndex | None:
        """``model``'s index as saved on disk (not the loaded one), or None if missing or
        built with other parameters; IndexFileDamaged if the file is damaged."""
        return VectorIndex.load(self.file(model), dim, self.params())

    def drop(self, model: str) -> None:
        """Forget the loaded copy; the next ``get`` loads it again (or rebuilds it)."""
        with self._lock:
            self._indexes.pop(model, None)

    def _load_or_rebuild(self, model: str, dim: int | None) -> VectorIndex:
        ids, vectors = self.catalog.embeddings(model)
        if dim is None:
            dim = vectors.shape[1] if len(ids) else self._dim_of(model)
        try:
            loaded, damaged = self.stored(model, dim), False
        except IndexFileDamaged as exc:
            loaded, damaged = None, True
            self._warn(f"the vector index {self.file(model).name} was damaged ({exc}); rebuilt it from the catalog")
        if loaded is not None and loaded.ids() == set(ids.tolist()):
            return loaded
        index = (
            VectorIndex.build(ids, vectors, dim, self.params()) if len(ids) else VectorIndex(dim, params=self.params())
        )
        if len(ids) or loaded is not None or damaged:
            try:
                index.save(self.file(model), model)
            except OSError as exc:  # a full disk: the rebuilt index still answers, from memory
                self._warn(f"could not save the rebuilt vector index ({exc}); it is rebuilt again next time")
        return index

    def add(self, model: str, ids: np.ndarray, vectors: np.ndarray, save_every: float | None = None) -> None:
        """Add (or replace) vectors in ``model``'s index; with ``save_every`` also save every
        index when the last save is older than that many seconds (others see progress,
        a crash loses little)."""
        with self._lock:
            self.get(model).add(ids, vectors)
            if save_every is not None and time.monotonic() - self._last_save > save_every:
                self.save()

    def remove(self, ids: Iterable[int]) -> None:
        """Photos left the catalog: out of every loaded index and the active model's."""
        ids = list(ids)
        with self._lock:
            if self.settings.model and self.settings.model not in self._indexes:
                self.get(self.settings.model)  # the searching index follows removals too
            for index in self._indexes.values():
                index.remove(ids)

    def save(self) -> None:
        """Persist every loaded index atomically (other processes pick them up)."""
        with self._lock:
            for model, index in self._indexes.items():
                index.save(self.file(model), model)
            self._last_save = time.monotonic()

    def refresh(self, paths: Iterable[str] = ()) -> None:
        """Bring the loaded indexes in step with the catalog after another writer (a folder
        watcher's own Library, another process) changed it; ``paths`` were changed in place,
        so their vectors are re-read. Only the difference is loaded."""
        touched = {p.id for p in map(self.catalog.photo_by_path, paths) if p is not None}
        with self._lock:
            for model, index in self._indexes.items():
                stored, held = self.catalog.embedded_ids(model), index.ids()
                index.remove(held - stored)
                fresh = sorted((stored - held) | (touched & stored))
                if fresh:
                    index.add(*self.catalog.embeddings(model, fresh))
