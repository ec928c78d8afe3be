"""Indexing, wired by the Library: index runs over folders or single paths, and the model
switch (a new model embeds in the background while the old one answers searches).

Receives the catalog, the vector indexes, the settings and where they are saved, the
model choice and the embedders, the tagging hooks (new embeddings, the end of a run) and
the list of warnings the CLI shows after indexing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from photoapp.config import SECTIONS, Settings
from photoapp.core.embedding.provider import Embedders, ModelChoice
from photoapp.core.errors import LibraryError
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.indexes import IndexRegistry

if TYPE_CHECKING:  # the indexer pulls in Pillow and the decoders: `photoapp status` needs neither
    from photoapp.core.indexing.indexer import Indexer, IndexReport, ProgressFn

SAVE_EVERY = 30  # seconds: others see an index run's progress; a crash loses little


class Indexing:
    def __init__(
        self,
        catalog: Catalog,
        indexes: IndexRegistry,
        settings: Settings,
        library: Path,
        models: ModelChoice,
        embedders: Embedders,
        add_folders: Callable[[list], list[tuple[int, str]]],
        on_embedded: Callable[[np.ndarray, np.ndarray], None],
        after_run: Callable[[], object],
        warnings: list[str],
        faces: Callable[[], object] = lambda: None,
    ):
        self.catalog, self.indexes = catalog, indexes
        self.settings, self.library = settings, Path(library)
        self.models, self.embedders = models, embedders
        self.add_folders = add_folders
        self.on_embedded = on_embedded  # new vectors of the searching model (tagging)
        self.after_run = after_run  # re-tag at the end of a run
        self.warnings = warnings
        self.faces = faces  # the face stage for a run (photoapp/core/faces), or None

    # -- runs -----------------------------------------------------------------------------
    def index_folders(
        self, paths: list[str] | None = None, progress: ProgressFn | None = None, cancel: threading.Event | None = None
    ) -> IndexReport:
        """See Library.index_folders."""
        for raw in paths or ():
            if not os.path.isdir(os.path.expanduser(os.fsdecode(raw))):
                raise LibraryError(f"not a folder: {raw}")
        self.check_model(progress)
        targets = self.add_folders(paths) if paths else self.catalog.folders()
        return self._run(lambda indexer: indexer.run(targets), progress, cancel)

    def index_paths(
        self, paths: list[str], progress: ProgressFn | None = None, cancel: threading.Event | None = None
    ) -> IndexReport:
        """See Library.index_paths."""
        self.check_model(progress)
        folders = sorted(self.catalog.folders(), key=lambda f: len(f[1]), reverse=True)
        scopes = []
        for path in paths:
            path = os.path.abspath(path)
            owner = next(
                (fid for fid, root in folders if path == root or path.startswith(root.rstrip(os.sep) + os.sep)), None
            )
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
            self.indexes.save()
        self.finish_switch(indexer.embedder.name)
        self.after_run()
        return report

    def _indexer(self, progress: ProgressFn | None, cancel: threading.Event | None) -> Indexer:
        model = self.target_model()
        embedder = self.embedders.get(model).load()
        self.indexes.get(model, dim=embedder.dim)
        from photoapp.core.indexing.indexer import Indexer

        return Indexer(
            self.catalog,
            embedder,
            batch_size=self.settings.batch_size,
            workers=self.settings.decode_workers,
            progress=progress,
            cancel=cancel,
            on_embedded=lambda ids, vectors: self._embedded(model, ids, vectors),
            on_removed=self.indexes.remove,
            private=self.private_folders(),
            faces=self.faces(),
        )

    def private_folders(self) -> list[str]:
        """Never indexed, even inside a photo folder: the library (catalog, indexes,
        thumbnails, caches) and the model and ONNX caches."""
        from photoapp.config import models_cache_dir
        from photoapp.core.embedding.onnxrt import cache_dir as onnx_cache_dir

        return [str(self.library), str(models_cache_dir()), str(onnx_cache_dir())]

    def _embedded(self, model: str, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.indexes.add(model, ids, vectors, save_every=SAVE_EVERY)
        if model == self.models.searching:  # tags follow the searching model (a switch re-tags at its end)
            self.on_embedded(ids, vectors)

    # -- the model switch -----------------------------------------------------------------
    def check_model(self, progress: ProgressFn | None = None) -> None:
        """Load the model an index run will use before the run records anything (folders,
        a model switch): a folder that is not a usable model leaves the library as it was.
        Its one-off preparation for this CPU (int8 export) reports phase "prepare"."""
        from contextlib import nullcontext

        from photoapp.core.embedding.onnxrt import preparing_progress

        def prepare(done: int, total: int) -> None:
            progress("prepare", done, total)

        with preparing_progress(prepare) if progress else nullcontext():
            self.embedders.get(self.models.next).load()

    def target_model(self) -> str:
        """Which model an index run embeds with; starts or resumes a model switch if needed."""
        active = self.settings.model
        target = self.models.next
        if active is None:
            self.settings.model = target
        elif target != active and target != self.models.pending:
            self.warnings.append(
                f"switching this library from {active} to {target}: every photo is re-embedded; "
                f"searches use {active} until the switch completes (old embeddings are kept)"
            )
            self.settings.pending_model = target
        elif target == active and self.models.pending:
            self.settings.pending_model = None  # switching back cancels the switch
        else:
            return target  # nothing to record: a save would put back this Library's stale copy of
            # settings another writer changed since (a folder watcher's batch, the GUI's state)
        self.save_keeping_others()
        return target

    def save_keeping_others(self) -> None:
        """Save the settings with what other writers stored since this Library read them
        (the window's state, a watcher's batch): the model was loaded in between, which
        takes seconds. The model fields are this Library's; every section is the file's."""
        stored = Settings.load(self.library)
        self.settings.update_from(stored, keep=tuple(f for f in vars(self.settings) if f not in SECTIONS))
        self.settings.save(self.library)

    def finish_switch(self, target: str) -> None:
        """Make ``target`` the active model once every photo has its embedding."""
        if target == self.settings.model or self.models.pending != target:
            return
        if self.catalog.count_embedded(target) < self.catalog.count_photos():
            return
        self.settings.model = target
        self.settings.pending_model = None
        self.save_keeping_others()
        self.models.requested = None
