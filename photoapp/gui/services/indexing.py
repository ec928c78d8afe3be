"""IndexingService: index runs of the GUI's Library on a thread of their own.

One run at a time (``IndexJob``, gui/workers.py), pausable and cancellable. ``started`` is
announced before the run starts, so whoever listens learns of it before any of its
progress. The folder watcher steps aside while a run goes on and comes back after a run
that finished (its start reconciles what changed meanwhile).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal

from photoapp.gui.workers import IndexJob


class IndexingService(QObject):
    started = Signal()
    progress = Signal(str, int, int, object)  # phase, done, total, eta seconds
    stopped = Signal(str, object)  # "finished" | "cancelled" | "failed": report dict, None, or the exception

    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.job: IndexJob | None = None

    @property
    def active(self) -> bool:
        return self.job is not None

    def start(self) -> None:
        engine = self.engine
        if self.job is not None or engine.closed or not engine.folders():
            return
        job = IndexJob(engine.library)
        job.setAutoDelete(False)
        job.signals.progress.connect(self.progress)
        job.signals.finished.connect(lambda report: self._ended(job, "finished", report))
        job.signals.cancelled.connect(lambda: self._ended(job, "cancelled", None))
        job.signals.failed.connect(lambda error: self._ended(job, "failed", error))
        self.job = job
        # Announced before the run starts: whoever listens learns of it before any of its
        # progress (the pause a person clicks at the first count applies to this job).
        self.started.emit()
        if engine.watch.watcher is not None:  # on the indexing thread, just before the run
            self.pool.start(lambda: engine.watch.stop_blocking("starts again when indexing ends"))
        self.pool.start(job)

    def _ended(self, job: IndexJob, outcome: str, detail) -> None:
        if self.job is not job or self.engine.closed:
            return  # a late signal from a run already superseded, or from before shutdown
        self.job = None
        self.stopped.emit(outcome, detail)
        if outcome == "finished":
            self.engine.watch.start()
        else:
            self.engine.watch.stop_blocking("indexing stopped; File ▸ Index now resumes")

    def pause(self, paused: bool) -> None:
        job = self.job
        if job is not None:
            job.pause() if paused else job.resume()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def stop_blocking(self) -> None:
        """Cancel the run and wait until it has returned (any thread but the GUI's)."""
        job = self.job
        if job is not None:
            job.cancel()
            job.stopped.wait()
