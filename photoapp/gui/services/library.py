"""LibraryService: the GUI's handle on the engine, and the owner of the other GUI services.

Each capability has one service here (services/indexing, search, tagging, duplicates,
watching, thumbnails, actions): a QObject that talks to the ``photoapp.core.library.Library``
facade on worker threads and hands answers back to the GUI thread through queued signals
(callbacks run on the GUI thread). Views and controllers hold widgets and call services.

Queries (listing, search, folder changes, tag and duplicate actions) run one at a time
on a single-thread pool, so they never race each other. Indexing runs on its own thread
over the *same* Library: its in-memory vector index (guarded by the core's lock) is what
searches use, so photos become searchable as they are embedded. Sharing that SQLite
connection across the two threads is allowed (``sqlite3.threadsafety == 3``, serialized);
changes that would interleave with the indexer's transactions (adding or removing folders,
switching model, tagging settings) go through ``change``, which stops the indexer first.

Library objects: the catalog opens one SQLite connection per Library, and a transaction
belongs to a connection, not to a thread. So there is one Library per role that needs a
connection of its own, all made by ``open_library`` (which shares the loaded models, so
there is one copy of a model in memory):

- ``library``: the query thread and the indexing thread (the searches see the indexer's
  in-memory vector index);
- ``reader``: single-row reads on the GUI thread, which must never wait for a worker's
  statement on the shared connection;
- the folder watcher's, on the watcher's thread (services/watching.py): it writes while
  queries run, in transactions of its own;
- a tag edit's, opened for the edit (services/tagging.py): an edit is its own transaction
  and never joins the indexer's (whose rollback on cancel would otherwise take it along).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from photoapp.core.library import Library
from photoapp.gui.services.actions import ActionService
from photoapp.gui.services.duplicates import DuplicatesService
from photoapp.gui.services.indexing import IndexingService
from photoapp.gui.services.search import SearchService
from photoapp.gui.services.tagging import TagService
from photoapp.gui.services.watching import WatchService
from photoapp.gui.workers import Task


class LibraryService(QObject):
    model_loading = Signal()  # the search model started loading in the background
    model_ready = Signal(object)  # it is loaded (None) or could not be (the exception)

    def __init__(self, library_path=None, model: str | None = None, device: str | None = None, parent=None):
        super().__init__(parent)
        self.library = Library(library_path, model=model, device=device)
        self.path = self.library.path
        self.reader = self.open_library()  # GUI-thread single-row reads on its own connection
        self.queries = QThreadPool(self)
        self.queries.setMaxThreadCount(1)
        self._tasks: set[Task] = set()
        self._changes = 0  # changes in flight (see ``change``)
        self.closed = False  # after shutdown, late queued results are dropped, not delivered
        self.model_state = "idle"  # "loading", then "ready" (or "failed": the search reports why)
        self.indexing = IndexingService(self, self)
        self.watch = WatchService(self, self)  # folders are watched between index runs
        self.search = SearchService(self, self)
        self.tags = TagService(self, self)
        self.duplicates = DuplicatesService(self, self)
        self.actions = ActionService(self, self)  # stars, favourites, rotation, trash, undo

    @property
    def model_name(self) -> str:
        return self.library.model_name

    def open_library(self, model: str | None = None) -> Library:
        """A Library of its own (its own SQLite connection) for a thread or a transaction
        that needs one (see the module's docstring); it uses the loaded models of ``library``."""
        library = Library(self.path, model=model)
        library.share_models(self.library)
        return library

    # -- generic ----------------------------------------------------------------------------
    def submit(self, fn: Callable, *args, on_done: Callable | None = None, on_failed: Callable | None = None) -> Task:
        """Queue ``fn(*args)`` on the query thread; callbacks run on the GUI thread.
        ``on_failed`` receives the exception object (decide by its type)."""
        return self.run_task(Task(fn, *args), on_done, on_failed)

    def run_task(
        self,
        task,
        on_done: Callable | None = None,
        on_failed: Callable | None = None,
        on_cancelled: Callable | None = None,
    ):
        """Queue a Task or ProgressTask on the query thread; callbacks run on the GUI thread."""
        task.setAutoDelete(False)
        self._tasks.add(task)  # keep the Python wrapper (and its signals) alive until delivery
        task.signals.done.connect(lambda result: self._settle(task, on_done, result))
        task.signals.failed.connect(lambda error: self._settle(task, on_failed, error))
        if hasattr(task.signals, "cancelled"):
            task.signals.cancelled.connect(
                lambda: self._settle(task, on_cancelled and (lambda _: on_cancelled()), None)
            )
        self.queries.start(task)
        return task

    def _settle(self, task: Task, callback, value) -> None:
        self._tasks.discard(task)
        if callback is not None and not self.closed:
            callback(value)

    @property
    def busy(self) -> bool:
        """An index run, or a query whose answer has not reached the GUI thread yet."""
        return self.indexing.job is not None or bool(self._tasks)

    def prepare_model(self) -> None:
        """Load the search model on the query thread (once): a search typed meanwhile is
        queued behind it there and answers as soon as the model is ready."""
        if self.model_state != "idle" or self.closed:
            return
        self.model_state = "loading"
        self.submit(self.library.prepare_search, on_done=self._model_loaded, on_failed=self._model_loaded)
        self.model_loading.emit()  # after the submit: a search its listeners start queues behind it

    def _model_loaded(self, error) -> None:
        self.model_state = "failed" if isinstance(error, BaseException) else "ready"
        self.model_ready.emit(error if isinstance(error, BaseException) else None)

    # -- changes that must not interleave with the indexer -----------------------------------
    def change(self, fn: Callable, on_done: Callable | None = None, on_failed: Callable | None = None) -> Task:
        """Run ``fn()`` on the query thread once the watcher and the indexer have stopped.
        While it is in flight ``changing`` is true: the indexer stop it causes is no news.
        The caller restarts indexing from its callbacks."""
        self._changes += 1

        def settled(callback):
            def run(value) -> None:
                self._changes -= 1
                if callback is not None:
                    callback(value)

            return run

        return self.submit(self._stop_then, fn, on_done=settled(on_done), on_failed=settled(on_failed))

    @property
    def changing(self) -> bool:
        return self._changes > 0

    def _stop_then(self, fn: Callable):
        self.watch.stop_blocking("restarts after the change")
        self.indexing.stop_blocking()
        return fn()

    def add_folders(self, paths: list[str], on_done, on_failed=None) -> Task:
        return self.change(lambda: self.library.add_folders(paths), on_done, on_failed)

    def remove_folder(self, path: str, on_done, on_failed=None) -> Task:
        return self.change(lambda: self.library.remove_folder(path), on_done, on_failed)

    def apply_settings(self, model: str, device: str, on_done, on_failed=None) -> Task:
        """Record a model (any spec: a name, a folder, ``toy``) and device; reopens the library."""
        model = Library.canonical_model_name(model)
        return self.change(lambda: self._switch(model, device), on_done, on_failed)

    def apply_options(self, options: dict, on_done, on_failed=None) -> Task:
        """Record settings.json options (``{"section.key": value}``, as SettingsDialog.options
        gives them) with the indexer and watcher stopped; the caller restarts them."""
        return self.change(lambda: self._set_options(options), on_done, on_failed)

    def _set_options(self, options: dict) -> None:
        from photoapp.config import Settings

        library = self.library
        tags = {key[5:]: value for key, value in options.items() if key.startswith("tags.")}
        current = library.tags.settings()
        if any(getattr(current, key) != value for key, value in tags.items()):
            library.tags.configure(**tags)  # re-tags (or writes sidecars) only when needed
        settings = Settings.load(self.path)
        for key, value in options.items():
            if key.startswith("tags."):
                continue
            section, _, name = key.rpartition(".")
            for target in (settings, library.settings):  # the file, and the open library's copy
                setattr(getattr(target, section) if section else target, name, value)
        settings.save(self.path)

    def _switch(self, model: str, device: str) -> None:
        """Record the choice in the library's settings and reopen the library with it."""
        from photoapp.config import Settings

        settings = Settings.load(self.path)
        settings.model, settings.device = model, device
        settings.save(self.path)
        old, self.library = self.library, Library(self.path)
        old.close()
        self.model_state = "idle"  # another model: loaded by the next search, or prepared again

    # -- GUI-thread reads --------------------------------------------------------------------
    def folders(self) -> list[str]:
        return self.reader.folders()

    def photo_info(self, path: str) -> dict:
        return self.reader.photo(path)

    def problems(self) -> list[dict]:
        return self.reader.problems()

    def settings(self):
        from photoapp.config import Settings

        return Settings.load(self.path)

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel work, wait for the threads, close the catalogs; True when all stopped."""
        self.closed = True
        self.watch.stop_blocking()
        self.indexing.cancel()
        for task in list(self._tasks):
            if hasattr(task, "cancel"):
                task.cancel()  # a ProgressTask (finding duplicates) stops at its next check
        self.queries.clear()
        import time

        deadline = time.monotonic() + timeout_ms / 1000  # one budget for both pools
        stopped = self.indexing.pool.waitForDone(timeout_ms) and self.queries.waitForDone(
            max(0, int((deadline - time.monotonic()) * 1000))
        )
        if stopped:
            self.library.close()
            self.reader.close()
        return stopped
