"""The library: the one facade the CLI and the GUI call.

It owns the catalog, the settings, the embedder (loaded lazily) and the vector index
of the library's model, and keeps the index in step with the catalog.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from photoapp.config import DEFAULT_MODEL, Settings, library_dir
from photoapp.core.store.catalog import Catalog
from photoapp.core.embedding import models as model_registry
from photoapp.core.errors import LibraryError, NotIndexed
from photoapp.core.search.query import combine as combine_query
from photoapp.core.search.query import parse as parse_query
from photoapp.core.search import relevance
from photoapp.core.search.ranking import EXACT_ALL, Filters, Results, background, rank, relevant
from photoapp.core.store.vector_index import HnswParams, VectorIndex, index_stem

# Raised by the model loading under this facade; re-exported so callers (the GUI) can tell
# it apart by type without reaching into the embedding package.
ModelUnavailable = model_registry.ModelUnavailable

if TYPE_CHECKING:  # the indexer pulls in Pillow and the decoders: `photoapp status` needs neither
    from photoapp.core.indexing.indexer import Indexer, IndexReport, ProgressFn


class Library:
    def __init__(self, path: str | os.PathLike | None = None, model: str | None = None, device: str | None = None):
        self.path = library_dir(path)
        self.catalog = Catalog(self.path / "catalog.sqlite3")
        self.settings = Settings.load(self.path)
        self.requested_model = model_registry.canonical_name(model) if model else None
        if device:
            self.settings.device = device
        self._embedders: dict = {}
        self._indexes: dict[str, VectorIndex] = {}
        self._index_lock = threading.RLock()
        self._last_save = time.monotonic()
        self.warnings: list[str] = []
        self._tags = None
        self._duplicates = None
        self._vectors_cache = None
        self._calibrations: dict = {}

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- model --------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        """The model whose embeddings answer searches: --model, else the library's active one."""
        return self.requested_model or self.settings.model or DEFAULT_MODEL

    @property
    def pending_model(self) -> str | None:
        """A model being switched to: it embeds in the background while the old one answers."""
        return self.settings.extra.get("pending_model")

    @property
    def embedder(self):
        return self.embedder_for(self.model_name)

    def embedder_for(self, model: str):
        if model not in self._embedders:
            from photoapp.core.embedding.clip import ClipEmbedder

            self._embedders[model] = ClipEmbedder(model_registry.resolve(model), self.settings.device,
                                                   self.settings.precision)
        return self._embedders[model]

    def _next_model(self) -> str:
        """The model the next index run embeds with (nothing is recorded)."""
        return self.requested_model or self.pending_model or self.settings.model or DEFAULT_MODEL

    def _check_model(self, progress: ProgressFn | None = None) -> None:
        """Load the model an index run will use before the run records anything (folders,
        a model switch): a folder that is not a usable model leaves the library as it was.
        Its one-off preparation for this CPU (int8 export) reports phase "prepare"."""
        from contextlib import nullcontext

        from photoapp.core.embedding.onnxrt import preparing_progress

        def prepare(done: int, total: int) -> None:
            progress("prepare", done, total)

        with preparing_progress(prepare) if progress else nullcontext():
            self.embedder_for(self._next_model()).load()

    def _target_model(self) -> str:
        """Which model an index run embeds with; starts or resumes a model switch if needed."""
        active = self.settings.model
        target = self._next_model()
        if active is None:
            self.settings.model = target
        elif target != active and target != self.pending_model:
            self.warnings.append(f"switching this library from {active} to {target}: every photo is re-embedded; "
                                 f"searches use {active} until the switch completes (old embeddings are kept)")
            self.settings.extra["pending_model"] = target
        elif target == active and self.pending_model:
            self.settings.extra.pop("pending_model")  # switching back cancels the switch
        else:
            return target  # nothing to record: a save would put back this Library's stale copy of
            # settings another writer changed since (a folder watcher's batch, the GUI's state)
        self._save_keeping_others()
        return target

    def _save_keeping_others(self) -> None:
        """Save the settings with what other writers stored since this Library read them
        (the window's state, a watcher's batch): the model was loaded in between, which
        takes seconds. The model fields are this Library's; every other extra is the file's."""
        stored = Settings.load(self.path).extra
        for key, value in stored.items():
            if key != "pending_model":
                self.settings.extra[key] = value
        self.settings.save(self.path)

    def _finish_switch(self, target: str) -> None:
        """Make ``target`` the active model once every photo has its embedding."""
        if target == self.settings.model or self.pending_model != target:
            return
        if self.catalog.count_embedded(target) < self.catalog.count_photos():
            return
        self.settings.model = target
        self.settings.extra.pop("pending_model", None)
        self._save_keeping_others()
        self.requested_model = None

    def _require_embeddings(self) -> None:
        if self.catalog.count_embedded(self.model_name) == 0 and self.catalog.count_photos() > 0:
            raise NotIndexed(f"no photos are embedded with {self.model_name} yet; run: photoapp --model "
                             f"{self.model_name} index")

    # -- folders ------------------------------------------------------------------------
    def folders(self) -> list[str]:
        return [p for _, p in self.catalog.folders()]

    def add_folders(self, paths: list[str | os.PathLike]) -> list[tuple[int, str]]:
        added = []
        for raw in paths:
            path = os.path.abspath(os.path.expanduser(os.fsdecode(raw)))
            if not os.path.isdir(path):
                raise LibraryError(f"not a folder: {raw}")
            with self.catalog.transaction():
                added.append((self.catalog.add_folder(path), path))
        return added

    def remove_folder(self, path: str | os.PathLike) -> int:
        path = os.path.abspath(os.fspath(path))
        if path not in self.folders():
            raise LibraryError(f"not a library folder: {path}")
        before = self.catalog.embedded_ids(self.model_name)
        removed = self.catalog.remove_folder(path)
        gone = before - self.catalog.embedded_ids(self.model_name)
        self._on_removed(list(gone))
        self.save_index()
        return removed

    # -- indexing -----------------------------------------------------------------------
    def index_folders(self, paths: list[str] | None = None, progress: ProgressFn | None = None,
                      cancel: threading.Event | None = None) -> IndexReport:
        """Register ``paths`` (if given) and index them, else every registered folder."""
        for raw in paths or ():
            if not os.path.isdir(os.path.expanduser(os.fsdecode(raw))):
                raise LibraryError(f"not a folder: {raw}")
        self._check_model(progress)
        targets = self.add_folders(paths) if paths else self.catalog.folders()
        return self._run(lambda indexer: indexer.run(targets), progress, cancel)

    def index_paths(self, paths: list[str], progress: ProgressFn | None = None,
                    cancel: threading.Event | None = None) -> IndexReport:
        """Reconcile just these files or folders (new, changed, moved or gone) of registered
        folders, then save the index; what a folder watcher calls for each batch of changes."""
        self._check_model(progress)
        folders = sorted(self.catalog.folders(), key=lambda f: len(f[1]), reverse=True)
        scopes = []
        for path in paths:
            path = os.path.abspath(path)
            owner = next((fid for fid, root in folders
                          if path == root or path.startswith(root.rstrip(os.sep) + os.sep)), None)
            if owner is not None:  # paths outside the library are none of its business
                scopes.append((owner, path))
        return self._run(lambda indexer: indexer.run_paths(scopes), progress, cancel)

    def _run(self, work, progress: ProgressFn | None, cancel: threading.Event | None) -> IndexReport:
        """One index run: ``work(indexer)``, then save the index, finish a model switch whose
        embeddings are complete, and re-tag (a finished switch re-tags with the new model)."""
        indexer = self._indexer(progress, cancel)
        try:
            report = work(indexer)
        finally:
            self.save_index()
        self._finish_switch(indexer.embedder.name)
        self.tags.refresh()
        return report

    def _indexer(self, progress: ProgressFn | None, cancel: threading.Event | None) -> Indexer:
        model = self._target_model()
        embedder = self.embedder_for(model).load()
        self.vector_index(model, dim=embedder.dim)
        from photoapp.core.indexing.indexer import Indexer

        return Indexer(self.catalog, embedder, batch_size=self.settings.batch_size,
                       workers=self.settings.decode_workers, progress=progress, cancel=cancel,
                       on_embedded=lambda ids, vectors: self._on_embedded(model, ids, vectors),
                       on_removed=self._on_removed)

    def _on_embedded(self, model: str, ids: np.ndarray, vectors: np.ndarray) -> None:
        with self._index_lock:
            self.vector_index(model).add(ids, vectors)
            if time.monotonic() - self._last_save > 30:  # others see progress; a crash loses little
                self.save_index()
        if model == self.model_name:  # tags follow the searching model (a switch re-tags at its end)
            self.tags.on_embedded(ids, vectors)

    def _on_removed(self, ids: list[int]) -> None:
        with self._index_lock:
            if self.settings.model and self.settings.model not in self._indexes:
                self.vector_index(self.settings.model)  # the searching index follows removals too
            for index in self._indexes.values():
                index.remove(ids)

    # -- tags -----------------------------------------------------------------------------
    @property
    def tags(self):
        """Auto-tags, albums, smart albums, taught tags, sidecars (photoapp/core/tagging/service.py)."""
        if self._tags is None:
            from photoapp.core.tagging.service import Tags

            self._tags = Tags(self)
        return self._tags

    # -- duplicates -----------------------------------------------------------------------
    @property
    def duplicates(self):
        """Exact / near / similar duplicates, resolve to the trash, undo (photoapp/core/duplicates/service.py)."""
        if self._duplicates is None:
            from photoapp.core.duplicates.service import Duplicates

            self._duplicates = Duplicates(self)
        return self._duplicates

    # -- vector index -------------------------------------------------------------------
    def _index_file(self, model: str | None = None) -> Path:
        return self.path / "index" / f"{index_stem(model or self.model_name)}.hnsw"

    def vector_index(self, model: str | None = None, dim: int | None = None) -> VectorIndex:
        """A model's index (default: the searching one), loaded, or rebuilt from the catalog."""
        model = model or self.model_name
        with self._index_lock:
            if model not in self._indexes:
                self._indexes[model] = self._load_or_rebuild(model, dim)
            return self._indexes[model]

    def _load_or_rebuild(self, model: str, dim: int | None) -> VectorIndex:
        ids, vectors = self.catalog.embeddings(model)
        if dim is None:
            dim = vectors.shape[1] if len(ids) else self.embedder_for(model).dim
        params = HnswParams.from_settings(self.settings)  # an index built with others is rebuilt
        loaded = VectorIndex.load(self._index_file(model), dim, params)
        if loaded is not None and loaded.ids() == set(ids.tolist()):
            return loaded
        index = VectorIndex.build(ids, vectors, dim, params) if len(ids) else VectorIndex(dim, params=params)
        if len(ids) or loaded is not None:
            index.save(self._index_file(model), model)
        return index

    def save_index(self) -> None:
        """Persist every loaded index atomically (other processes pick them up)."""
        with self._index_lock:
            for model, index in self._indexes.items():
                index.save(self._index_file(model), model)
            self._last_save = time.monotonic()

    def refresh_indexes(self, paths: list[str] = ()) -> None:
        """Bring the loaded vector indexes in step with the catalog after another writer
        (a folder watcher's own Library, another process) changed it; ``paths`` were
        changed in place, so their vectors are re-read. Only the difference is loaded."""
        touched = {p.id for p in map(self.catalog.photo_by_path, paths) if p is not None}
        with self._index_lock:
            for model, index in self._indexes.items():
                stored, held = self.catalog.embedded_ids(model), index.ids()
                index.remove(held - stored)
                fresh = sorted((stored - held) | (touched & stored))
                if fresh:
                    index.add(*self.catalog.embeddings(model, fresh))

    def share_models(self, other: Library) -> None:
        """Use ``other``'s loaded models (a watcher's Library beside the GUI's): one copy in memory."""
        self._embedders = other._embedders

    # -- search -------------------------------------------------------------------------
    def search(self, text: str, k: int | None = None, filters: Filters | None = None, sort: str = "relevance",
               cutoff: bool = True) -> Results:
        """Photos matching a query: text, an image path, or rclip-style combinations
        ("beach +dog -cat", "photo.jpg +sunset"); see photoapp.core.search.query. With ``cutoff``
        only the relevant photos (adaptive cut-off, capped at ``k`` if given), else the
        top ``k`` (default 20)."""
        try:
            terms = parse_query(text)
        except ValueError as exc:
            raise LibraryError(str(exc)) from None
        self._require_embeddings()
        texts = sorted({t.text for t in terms if not t.is_image})
        text_vectors = dict(zip(texts, self.embedder.embed_queries(texts))) if texts else {}
        image_vectors = {t.text: self._image_vector(t.text) for t in terms if t.is_image}
        try:
            vector = combine_query(terms, text_vectors, image_vectors)
        except ValueError as exc:
            raise LibraryError(str(exc)) from None
        kind = "image" if image_vectors else "text"  # a photo in the query: find-similar's decision
        return self._rank(vector, k, filters, sort, cutoff, kind=kind)

    def similar(self, path: str | os.PathLike, k: int | None = None, filters: Filters | None = None,
                sort: str = "relevance", cutoff: bool = True) -> Results:
        """Photos most like ``path`` (a catalogued photo or any image file), itself excluded."""
        self._require_embeddings()
        path = os.path.abspath(os.fspath(path))
        photo = self.catalog.photo_at(path)
        exclude = {photo.id} if photo else None
        return self._rank(self._image_vector(path), k, filters, sort, cutoff, exclude, kind="image")

    def _rank(self, vector, k, filters, sort, cutoff, exclude=None, kind="text") -> Results:
        index = self.vector_index()
        if not cutoff:
            return rank(self.catalog, index, self.model_name, vector, 20 if k is None else k, filters, exclude, sort)
        return relevant(self.catalog, index, self.model_name, vector, self._library_vectors, k, filters, exclude,
                        sort, self.decision(kind))

    def decision(self, kind: str = "text"):
        """The relevance decision of this library's model for ``kind`` ("text" or "image"):
        (scores, weights) -> Cutoff, calibrated on this library (photoapp.core.search.relevance)."""
        calibration = self.calibration(with_bank=kind == "text")
        strictness = self.settings.strictness
        if kind == "text":
            return lambda scores, weights: relevance.decide_text(scores, calibration, weights, strictness)
        return lambda scores, weights: relevance.decide_image(scores, calibration, strictness)

    def calibration(self, with_bank: bool = True) -> relevance.Calibration:
        """The model's score scale on this library: the caption bank (embedded once per model,
        cached in the library) against a sample of the photos; kept until the index changes."""
        index = self.vector_index()
        key = (self.model_name, id(index), index.version, len(index))
        for bank_too in ((True,) if with_bank else (False, True)):
            cached = self._calibrations.get(bank_too)
            if cached is not None and cached[0] == key:
                return cached[1]
        if len(index) <= EXACT_ALL:
            _, photos = self._library_vectors()
        else:
            _, photos = background(self.catalog, index, self.model_name)
        bank = np.zeros((0, photos.shape[1] if photos.ndim == 2 else 0), np.float32)
        if with_bank:
            bank = self.tags.tagger.bank()  # the one copy tagging calibrates on too
        calibration = relevance.calibrate(bank, photos)
        self._calibrations[with_bank] = (key, calibration)
        return calibration

    def _library_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every embedding of the searching model, cached until the catalog's change."""
        model = self.model_name
        version = (model, *self.catalog.db.execute(
            "SELECT COUNT(*), MAX(rowid) FROM embeddings WHERE model=?", (model,)).fetchone())
        if self._vectors_cache is None or self._vectors_cache[0] != version:
            self._vectors_cache = (version, self.catalog.embeddings(model))
        return self._vectors_cache[1]

    def _image_vector(self, path: str) -> np.ndarray:
        """A catalogued photo's stored embedding, else the file embedded now."""
        photo = self.catalog.photo_at(path)
        vector = self.catalog.embedding(photo.id, self.model_name) if photo else None
        return vector if vector is not None else self._embed_file(path)

    def _embed_file(self, path: str) -> np.ndarray:
        from photoapp.core.media.decoding import DecodeError, decode_for_model

        if not os.path.exists(path):
            raise LibraryError(f"no such file: {path}")
        try:
            arr, _ = decode_for_model(Path(path), self.embedder.spec)
        except DecodeError as exc:
            raise LibraryError(f"cannot read {path}: {exc}") from None
        if arr.ndim == 4:  # a video's frames: the normalised mean, as the indexer stores it
            mean = self.embedder.embed_pixels(arr).mean(axis=0)
            return mean / max(float(np.linalg.norm(mean)), 1e-12)
        return self.embedder.embed_pixels(arr[None])[0]

    # -- inspection ---------------------------------------------------------------------
    def photo(self, path: str | os.PathLike) -> dict:
        path = os.path.abspath(os.fspath(path))
        photo = self.catalog.photo_at(path)  # a pair's RAW file answers for the pair
        if photo is None:
            raise LibraryError(f"not in the library: {path}")
        info = photo.as_dict()
        info["embedded_models"] = [m for (m,) in self.catalog.db.execute(
            "SELECT model FROM embeddings WHERE photo_id=? ORDER BY model", (photo.id,))]
        info["exists"] = os.path.exists(photo.path)
        if photo.companion:
            info["files"] = [photo.path, photo.companion]  # a RAW+JPEG pair: both, JPEG first
        info["tags"] = [t["tag"] for t in self.tags.of_photo(photo.id)]
        info["tag_details"] = self.tags.of_photo(photo.id)
        return info

    def status(self) -> dict:
        from photoapp.core.embedding.onnxrt import precision_note

        return {
            "library": str(self.path),
            "photos": self.catalog.count_photos(),
            "indexed": self.catalog.count_embedded(self.model_name),
            "model": self.model_name,
            "switching_to": self.pending_model,
            "switch_progress": self.catalog.count_embedded(self.pending_model) if self.pending_model else None,
            "folders": self.folders(),
            "problems": self.catalog.problems(),
            "notes": [note for note in (precision_note(m) for m in (self.model_name, self.pending_model) if m)
                      if note],
        }

    def check(self, repair: bool = True) -> dict:
        """Catalog integrity and catalog<->index agreement; repairs the index if asked."""
        errors = self.catalog.integrity_check()
        ids, _ = self.catalog.embeddings(self.model_name)
        expected = set(ids.tolist())
        loaded = (VectorIndex.load(self._index_file(), self._stored_dim() or 0, HnswParams.from_settings(self.settings))
                  if expected else None)
        in_index = loaded.ids() if loaded is not None else set()
        missing, extra = expected - in_index, in_index - expected
        agreed = not missing and not extra
        repaired = False
        if not agreed and repair and not errors:
            self._indexes.pop(self.model_name, None)
            self.vector_index()
            repaired = True
        vanished = self._vanished_photos()
        if vanished and repair and not errors:
            self._forget(list(vanished))
        return {"ok": not errors and (agreed or repaired), "integrity": errors or "ok",
                "index_agrees": agreed, "index_missing": len(missing), "index_extra": len(extra),
                "index_rebuilt": repaired, "photos": len(expected),
                "vanished_files": sorted(vanished.values())[:100], "vanished_count": len(vanished),
                "vanished_removed": bool(vanished and repair and not errors)}

    def _vanished_photos(self) -> dict[int, str]:
        """Catalogued photos whose file is gone, in folders that are online (not unplugged)."""
        online = {fid for fid, root in self.catalog.folders() if os.path.isdir(root)}
        rows = self.catalog.db.execute("SELECT id, path, folder_id FROM photos").fetchall()
        return {pid: path for pid, path, fid in rows if fid in online and not os.path.lexists(path)}

    def _forget(self, ids: list[int]) -> None:
        with self.catalog.transaction():
            self.catalog.delete_photos(ids)
        self._on_removed(ids)
        self.save_index()

    def _stored_dim(self) -> int | None:
        row = self.catalog.db.execute("SELECT length(vector) FROM embeddings WHERE model=? LIMIT 1",
                                      (self.model_name,)).fetchone()
        return row[0] // 4 if row else None

    # -- for the GUI: rows, albums, watching, media helpers --------------------------------
    def browse(self, filters: Filters | None = None) -> list[tuple]:
        """Every photo passing ``filters``, newest first: ``(id, path, mtime, taken, kind,
        duration, companion)`` tuples, the cheap listing a gallery of 100,000 needs."""
        from photoapp.core.search.ranking import allowed_ids
        from photoapp.core.store.catalog import PhotoOrder

        allowed = allowed_ids(self.catalog, filters or Filters())
        rows = self.catalog.browse_rows(order=PhotoOrder.NEWEST)
        media = self.catalog.media_of()  # videos and RAW files only: small
        plain = ("photo", None, None)
        return [(i, path, mtime, taken, *media.get(i, plain)) for i, path, mtime, taken in rows
                if allowed is None or i in allowed]

    def album_photos(self, name: str, filters: Filters | None = None, smart: bool = False) -> list[tuple]:
        """``(Photo, score or None)`` of a tag's album (most confident first) or, with
        ``smart``, of a smart album (best match first, with its scores), within ``filters``."""
        from photoapp.core.search.ranking import allowed_ids

        if smart:
            hits = self.tags.smart_album(name, filters)
            scores, ids, allowed = {h.photo_id: h.score for h in hits}, [h.photo_id for h in hits], None
        else:
            ids, scores, allowed = self.tags.tagger.album(name), {}, allowed_ids(self.catalog, filters or Filters())
        photos = self.catalog.photos_by_ids(ids)
        return [(photos[i], scores.get(i)) for i in ids if i in photos and (allowed is None or i in allowed)]

    def problems(self) -> list[dict]:
        """The files that could not be read: ``[{"path", "error"}]``."""
        return self.catalog.problems()

    def taught_tags(self) -> list[str]:
        """The names of the tags taught from example photos."""
        return self.tags.probes.names()

    @staticmethod
    def teach_min_examples() -> int:
        """How many example photos teaching a tag needs at least."""
        from photoapp.core.tagging.probe import MIN_POSITIVES

        return MIN_POSITIVES

    def folder_watcher(self, on_batch=None, on_status=None):
        """A FolderWatcher (photoapp/core/watching/watcher.py) over this Library, not started."""
        from photoapp.core.watching.watcher import FolderWatcher

        return FolderWatcher(self, on_batch=on_batch, on_status=on_status)

    @staticmethod
    def canonical_model_name(spec: str) -> str:
        """The name a library records for a model ``spec`` (folders become absolute paths)."""
        return model_registry.canonical_name(spec)

    @staticmethod
    def download_progress(listener):
        """Context manager: the bytes of a model download this thread starts go to ``listener``."""
        return model_registry.download_progress(listener)

    @staticmethod
    def is_photo_file(path: str) -> bool:
        """An existing file whose name is one of the formats Photoapp reads."""
        from photoapp.core.media.decoding import is_photo_name

        return os.path.isfile(path) and is_photo_name(os.path.basename(path))

    @staticmethod
    def read_image(path: str, min_side: int | None = None):
        """The photo decoded upright as 8-bit RGB (a Pillow image), JPEGs at reduced scale when
        ``min_side`` allows; DecodeError (a PhotoappError) says why one cannot be read."""
        from photoapp.core.media.decoding import load_rgb

        return load_rgb(path, min_side=min_side)[0]

    @staticmethod
    def thumbnail_bucket(size: int) -> int:
        """The cached thumbnail size that serves a display ``size``."""
        from photoapp.core.media.thumbnails import bucket_for

        return bucket_for(size)

    @staticmethod
    def thumbnail(library_path: str | os.PathLike, photo_path: str, mtime: float, bucket: int):
        """A photo's thumbnail (Pillow image) from the library's cache, rendered on a miss;
        uses no catalog, so any thread may call it."""
        from photoapp.core.media.thumbnails import load_or_render

        return load_or_render(Path(library_path), photo_path, mtime, bucket)
