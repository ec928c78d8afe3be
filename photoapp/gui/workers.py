"""Running core work off the GUI thread, with results delivered through queued signals.

A failure crosses threads as the exception object itself: whoever receives it decides by
its type (``photoapp.core.errors``), and shows ``error_text(error)`` to the person.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtGui import QImage

if TYPE_CHECKING:  # Pillow is imported where photos are decoded, not before the window shows
    from PIL import Image


def error_text(error: BaseException) -> str:
    """One line for the user; core errors already say what to do."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


class TaskSignals(QObject):
    # Created on the GUI thread, so receivers there get these as queued calls.
    done = Signal(object)
    failed = Signal(object)  # the exception


class Task(QRunnable):
    """Run ``fn(*args)`` on a pool thread; emit ``done(result)`` or ``failed(exception)``."""

    def __init__(self, fn: Callable, *args):
        super().__init__()
        self.fn, self.args = fn, args
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user, not kill the thread
            self.signals.failed.emit(exc.with_traceback(None))  # no frames kept alive
            return
        self.signals.done.emit(result)


def pil_to_qimage(img: Image.Image) -> QImage:
    """Convert on the worker thread (QImage, unlike QPixmap, is safe off the GUI thread)."""
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    data = rgb.tobytes()
    qimg = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    return qimg.copy()  # detach from ``data``, which Python frees when we return


class EtaEstimator:
    """Seconds left from the rate so far, not counting time spent paused."""

    def __init__(self):
        self.active = 0.0
        self._since: float | None = None
        self._start_done = 0

    def start(self, done: int) -> None:
        self._since, self._start_done, self.active = time.monotonic(), done, 0.0

    def pause(self) -> None:
        if self._since is not None:
            self.active += time.monotonic() - self._since
            self._since = None

    def resume(self) -> None:
        if self._since is None:
            self._since = time.monotonic()

    def eta(self, done: int, total: int) -> float | None:
        elapsed = self.active + (time.monotonic() - self._since if self._since is not None else 0.0)
        progressed = done - self._start_done
        if progressed <= 0 or elapsed < 0.5 or total <= 0:
            return None  # too early for a meaningful estimate
        return (total - done) * elapsed / progressed


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "estimating time left…"
    if seconds < 60:
        return "less than a minute left" if seconds >= 10 else "a few seconds left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60:02d} min left"


class IndexSignals(QObject):
    progress = Signal(str, int, int, object)  # phase, done, total, eta seconds or None
    finished = Signal(dict)  # the IndexReport as a dict
    cancelled = Signal()
    failed = Signal(object)  # the exception


class IndexJob(QRunnable):
    """One indexing run of ``library``, cancellable and pausable from the GUI thread.

    Pausing blocks the indexer inside its progress callback, between batches, so no
    core change is needed and a cancel while paused still wakes it.
    """

    def __init__(self, library, paths: list[str] | None = None):
        super().__init__()
        self.library, self.paths = library, paths
        self.signals = IndexSignals()
        self.cancel_event = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.stopped = threading.Event()  # set when run() has returned, whatever the outcome
        self.holding = threading.Event()  # set while the worker actually sits paused
        self._eta = EtaEstimator()
        self._phase = ""

    # -- controls (GUI thread) ------------------------------------------------------------
    def cancel(self) -> None:
        self.cancel_event.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    # -- worker thread ----------------------------------------------------------------------
    def run(self) -> None:
        from photoapp.core.errors import Cancelled
        from photoapp.core.library import Library

        try:
            # A model not downloaded yet downloads on the first embed: show its bytes too.
            with Library.download_progress(self._download_progress):
                report = self.library.index_folders(self.paths, progress=self._progress, cancel=self.cancel_event)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - shown in the progress area and banner
            self.signals.failed.emit(exc.with_traceback(None))  # no frames kept alive
        else:
            self.signals.finished.emit(report.as_dict())
        finally:
            self.stopped.set()

    def _progress(self, phase: str, done: int, total: int) -> None:
        if phase != self._phase:
            self._phase = phase
            self._eta.start(done)
        self._wait_while_paused()
        eta = self._eta.eta(done, total) if phase in ("embed", "download") else None
        self.signals.progress.emit(phase, done, total, eta)

    def _download_progress(self, done: int, total: int) -> None:
        from photoapp.core.errors import Cancelled

        if self.cancel_event.is_set():
            raise Cancelled()  # stops the download; a later run resumes its partial files
        self._progress("download", done, total)

    def _wait_while_paused(self) -> None:
        if self._running.is_set():
            return
        self._eta.pause()
        self.holding.set()
        while not self._running.wait(0.1):
            pass
        self.holding.clear()
        self._eta.resume()


class ProgressSignals(TaskSignals):
    progress = Signal(str, int, int)  # phase, done, total
    cancelled = Signal()


class ProgressTask(QRunnable):
    """Like Task, for a core call taking ``progress=`` and ``cancel=`` keywords.

    ``cancel()`` sets the event the core checks between steps; whatever the call then
    returns is reported as ``cancelled``, never as a result the user stopped asking for.
    """

    def __init__(self, fn: Callable, *args):
        super().__init__()
        self.fn, self.args = fn, args
        self.signals = ProgressSignals()
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        from photoapp.core.errors import Cancelled

        try:
            result = self.fn(*self.args, progress=self.signals.progress.emit, cancel=self.cancel_event)
        except Cancelled:
            result = None
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user, not kill the thread
            self.signals.failed.emit(exc.with_traceback(None))  # no frames kept alive
            return
        if self.cancel_event.is_set():
            self.signals.cancelled.emit()
        else:
            self.signals.done.emit(result)
