"""WatchService: the core folder watcher (photoapp/core/watching/watcher.py) while the GUI runs.

The watcher gets a Library of its own (``LibraryService.open_library``: its SQLite
connection is used from the watcher's thread; it shares the GUI's loaded model, so there
is one copy in memory). It never runs together with an index run of the GUI's Library:
both would embed the same new files. So the indexing service stops it before an index
run, ``LibraryService.change`` before a folder or settings change, and it starts again
when a run has finished; its start reconciles what changed meanwhile.

After each batch the GUI's Library pulls the catalog's changes into its in-memory vector
index (on the query thread), then ``changed`` tells the window to list again; bursts are
coalesced so a 5,000-photo copy does not relist the gallery 20 times a second.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

COALESCE_MS = 400  # batches closer together than this are shown together


class WatchService(QObject):
    status = Signal(object)  # photoapp.core.watching.watcher.WatchStatus, or None when not watching
    changed = Signal()  # the catalog changed and the GUI's index follows: list again
    _batch = Signal(object)  # changed paths, from the watcher's thread
    _status = Signal(object)

    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.watcher = None
        self.note = ""  # why watching is off, for the indicator
        self._lock = threading.Lock()  # start/stop come from the GUI and the query/indexing threads
        self._paths: list[str] = []
        self._flush = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._flush.timeout.connect(self._refresh)
        self._batch.connect(self._on_batch)  # queued: emitted on the watcher's thread
        self._status.connect(self.status)

    @property
    def running(self) -> bool:
        return self.watcher is not None and self.watcher.running

    def start(self) -> None:
        """Reconcile, then watch every registered folder (GUI thread; returns at once)."""
        with self._lock:
            if self.running or self.engine.closed or self.engine.indexing.job is not None or not self.engine.folders():
                return
            library = self.engine.open_library()
            self.watcher = library.folder_watcher(
                on_batch=lambda _report, paths: self._batch.emit(paths), on_status=self._status.emit
            )
            self.note = ""
            self.watcher.start()

    def stop_blocking(self, note: str = "", timeout: float = 4.0) -> None:
        """Stop watching and close its Library (any thread; waits for the watcher's batch)."""
        with self._lock:
            watcher, self.watcher = self.watcher, None
            self.note = note
        if watcher is not None and watcher.stop(timeout):  # the index is saved before it returns
            watcher.library.close()
        self._status.emit(None)

    def _on_batch(self, paths: list[str]) -> None:
        self._paths += paths
        if not self._flush.isActive():
            self._flush.start()

    def _refresh(self) -> None:
        paths, self._paths = self._paths, []
        if not self.engine.closed:
            self.engine.submit(self.engine.library.refresh_indexes, paths, on_done=lambda _r: self.changed.emit())
