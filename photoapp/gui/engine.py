"""The GUI's handle on the core: one Library for worker threads, jobs run on thread pools.

Queries (listing, search, folder changes) run one at a time on a single-thread pool, so
they never race each other. Indexing runs on its own thread over the *same* Library:
its in-memory vector index (guarded by the core's lock) is what searches use, so photos
become searchable as they are embedded. Sharing the SQLite connection across those two
threads is allowed (``sqlite3.threadsafety == 3``, serialized); writes that would
interleave with the indexer's transactions (adding/removing folders, switching model)
first stop the indexer. The GUI thread reads single rows through its own ``reader``.
Between index runs the registered folders are watched (``WatchService``, gui/watching.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters
from photoapp.gui.models.photo_list import PhotoRow, photo_row
from photoapp.gui.watching import WatchService
from photoapp.gui.workers import IndexJob, Task

# Searches show only the photos the core's cut-off finds relevant, at most this many
# (more than anyone scrolls through); the header still counts them all.
SEARCH_LIMIT = 20_000
CLOSEST = 60  # "show the closest anyway" when nothing stands out: a few screenfuls


class ResultRows(list):
    """Gallery rows of a search, with how many photos matched before the cap."""

    def __init__(self, rows, total: int, truncated: bool = False):
        super().__init__(rows)
        self.total, self.truncated = total, truncated


class Engine(QObject):
    index_started = Signal()
    index_progress = Signal(str, int, int, object)  # phase, done, total, eta seconds
    index_stopped = Signal(str, object)  # "finished" | "cancelled" | "failed", report dict or message

    def __init__(self, library_path=None, model: str | None = None, device: str | None = None, parent=None):
        super().__init__(parent)
        self.library = Library(library_path, model=model, device=device)
        self.path = self.library.path
        self.reader = Library(self.path)  # GUI-thread single-row reads on its own connection
        self.queries = QThreadPool(self)
        self.queries.setMaxThreadCount(1)
        self.indexing = QThreadPool(self)
        self.indexing.setMaxThreadCount(1)
        self._tasks: set[Task] = set()
        self.job: IndexJob | None = None
        self.closed = False  # after shutdown, late queued results are dropped, not delivered
        self.watch = WatchService(self, self)  # folders are watched between index runs

    @property
    def model_name(self) -> str:
        return self.library.model_name

    # -- generic ----------------------------------------------------------------------------
    def submit(self, fn: Callable, *args, on_done: Callable | None = None,
               on_failed: Callable | None = None) -> Task:
        """Queue ``fn(*args)`` on the query thread; callbacks run on the GUI thread."""
        return self.run_task(Task(fn, *args), on_done, on_failed)

    def run_task(self, task, on_done: Callable | None = None, on_failed: Callable | None = None,
                 on_cancelled: Callable | None = None):
        """Queue a Task or ProgressTask on the query thread; callbacks run on the GUI thread."""
        task.setAutoDelete(False)
        self._tasks.add(task)  # keep the Python wrapper (and its signals) alive until delivery
        task.signals.done.connect(lambda result: self._settle(task, on_done, result))
        task.signals.failed.connect(lambda msg: self._settle(task, on_failed, msg))
        if hasattr(task.signals, "cancelled"):
            task.signals.cancelled.connect(lambda: self._settle(task, on_cancelled and (lambda _: on_cancelled()), None))
        self.queries.start(task)
        return task

    def _settle(self, task: Task, callback, value) -> None:
        self._tasks.discard(task)
        if callback is not None and not self.closed:
            callback(value)

    # -- queries (run on the query thread) ----------------------------------------------------
    def list_photos(self, filters: Filters, on_done, on_failed=None) -> Task:
        return self.submit(self._list, filters, on_done=on_done, on_failed=on_failed)

    def search(self, text: str, filters: Filters, on_done, on_failed=None, sort: str = "relevance",
               cutoff: bool = True) -> Task:
        return self.submit(self._search, text, filters, sort, cutoff, on_done=on_done, on_failed=on_failed)

    def similar(self, path: str, filters: Filters, on_done, on_failed=None, sort: str = "relevance",
                cutoff: bool = True) -> Task:
        return self.submit(self._similar, path, filters, sort, cutoff, on_done=on_done, on_failed=on_failed)

    def _list(self, filters: Filters) -> list[PhotoRow]:
        from photoapp.core.search.ranking import allowed_ids

        allowed = allowed_ids(self.library.catalog, filters)
        rows = self.library.catalog.browse_rows(order="taken DESC, id DESC")  # walks the taken index
        media = self.library.catalog.media_of()  # videos and RAW files only: small
        plain = ("photo", None, None)
        return [PhotoRow(i, path, mtime, taken, None, *media.get(i, plain)) for i, path, mtime, taken in rows
                if allowed is None or i in allowed]

    def _search(self, text: str, filters: Filters, sort: str = "relevance", cutoff: bool = True) -> ResultRows:
        k = SEARCH_LIMIT if cutoff else CLOSEST
        return self._rows(self.library.search(text, k, filters, sort=sort, cutoff=cutoff))

    def _similar(self, path: str, filters: Filters, sort: str = "relevance", cutoff: bool = True) -> ResultRows:
        k = SEARCH_LIMIT if cutoff else CLOSEST
        return self._rows(self.library.similar(path, k, filters, sort=sort, cutoff=cutoff))

    def _rows(self, hits) -> ResultRows:
        photos = self.library.catalog.photos_by_ids([h.photo_id for h in hits])
        rows = [photo_row(photos[h.photo_id], h.score) for h in hits if h.photo_id in photos]
        return ResultRows(rows, getattr(hits, "total", len(rows)), getattr(hits, "truncated", False))

    # -- changes that must not interleave with the indexer -----------------------------------
    def add_folders(self, paths: list[str], on_done, on_failed=None) -> Task:
        return self.submit(self._mutate, lambda: self.library.add_folders(paths),
                           on_done=on_done, on_failed=on_failed)

    def remove_folder(self, path: str, on_done, on_failed=None) -> Task:
        return self.submit(self._mutate, lambda: self.library.remove_folder(path),
                           on_done=on_done, on_failed=on_failed)

    def apply_settings(self, model: str, device: str, on_done, on_failed=None) -> Task:
        return self.submit(self._mutate, lambda: self._switch(model, device),
                           on_done=on_done, on_failed=on_failed)

    def _mutate(self, change: Callable):
        self._stop_indexer_blocking()
        return change()

    def _switch(self, model: str, device: str) -> None:
        """Record the choice in the library's settings and reopen the library with it."""
        from photoapp.config import Settings

        settings = Settings.load(self.path)
        settings.model, settings.device = model, device
        settings.save(self.path)
        old, self.library = self.library, Library(self.path)
        old.close()

    def _stop_indexer_blocking(self) -> None:
        self.watch.stop_blocking("restarts after the change")
        job = self.job
        if job is not None:
            job.cancel()
            job.stopped.wait()

    # -- indexing ------------------------------------------------------------------------------
    @property
    def indexing_active(self) -> bool:
        return self.job is not None

    @property
    def busy(self) -> bool:
        """An index run, or a query whose answer has not reached the GUI thread yet."""
        return self.job is not None or bool(self._tasks)

    def start_indexing(self) -> None:
        if self.job is not None or self.closed or not self.reader.folders():
            return
        job = IndexJob(self.library)
        job.setAutoDelete(False)
        job.signals.progress.connect(self.index_progress)
        job.signals.finished.connect(lambda report: self._job_ended(job, "finished", report))
        job.signals.cancelled.connect(lambda: self._job_ended(job, "cancelled", None))
        job.signals.failed.connect(lambda msg: self._job_ended(job, "failed", msg))
        self.job = job
        # Announced before the run starts: whoever listens learns of it before any of its
        # progress (the pause a person clicks at the first count applies to this job).
        self.index_started.emit()
        if self.watch.watcher is not None:  # on the indexing thread, just before the run
            self.indexing.start(lambda: self.watch.stop_blocking("starts again when indexing ends"))
        self.indexing.start(job)

    def _job_ended(self, job: IndexJob, outcome: str, detail) -> None:
        if self.job is not job or self.closed:
            return  # a late signal from a run already superseded, or from before shutdown
        self.job = None
        self.index_stopped.emit(outcome, detail)
        if outcome == "finished":
            self.watch.start()
        else:
            self.watch.stop_blocking("indexing stopped; File ▸ Index now resumes")

    def cancel_indexing(self) -> None:
        if self.job is not None:
            self.job.cancel()

    # -- GUI-thread reads --------------------------------------------------------------------
    def folders(self) -> list[str]:
        return self.reader.folders()

    def photo_info(self, path: str) -> dict:
        return self.reader.photo(path)

    def problems(self) -> list[dict]:
        return self.reader.catalog.problems()

    def settings(self):
        from photoapp.config import Settings

        return Settings.load(self.path)

    # -- shutdown ------------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel work, wait for the threads, close the catalogs; True when all stopped."""
        self.closed = True
        self.watch.stop_blocking()
        self.cancel_indexing()
        for task in list(self._tasks):
            if hasattr(task, "cancel"):
                task.cancel()  # a ProgressTask (finding duplicates) stops at its next check
        self.queries.clear()
        stopped = self.indexing.waitForDone(timeout_ms) and self.queries.waitForDone(timeout_ms)
        if stopped:
            self.library.close()
            self.reader.close()
        return stopped


def is_image_file(path: str) -> bool:
    from photoapp.core.media.decoding import is_photo_name

    return os.path.isfile(path) and is_photo_name(os.path.basename(path))
