"""ThumbnailLoader: the library's thumbnail cache (``Library.thumbnail``, photoapp/core/media/thumbnails.py)
decoded off the GUI thread and kept in memory as pixmaps.

Only rows the view paints ask for thumbnails. Each request remembers it is wanted; when
the view scrolls, ``set_visible`` replaces the wanted set, so requests for rows scrolled
past are dropped before decoding. Newer requests get higher pool priority, so what is on
screen now is decoded before what was on screen a moment ago.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from photoapp.core.library import Library
from photoapp.gui.workers import pil_to_qimage

Key = tuple[str, int]  # (photo path, size bucket)


class _Signals(QObject):
    loaded = Signal(object, QImage)  # key, image (null image when the photo cannot be read)
    dropped = Signal(object)  # key: no longer wanted, not decoded


class _ThumbnailTask(QRunnable):
    def __init__(self, loader: ThumbnailLoader, key: Key, mtime: float):
        super().__init__()
        self.loader, self.key, self.mtime = loader, key, mtime
        self.library = loader.library

    def run(self) -> None:
        if not self.loader.is_wanted(self.key):
            self.loader.signals.dropped.emit(self.key)
            return
        path, bucket = self.key
        try:
            image = pil_to_qimage(Library.thumbnail(self.library, path, self.mtime, bucket))
        except Exception:  # noqa: BLE001 - unreadable photo: the delegate draws a broken marker
            image = QImage()
        self.loader.signals.loaded.emit(self.key, image)


class ThumbnailLoader(QObject):
    ready = Signal(str)  # photo path whose thumbnail is now available

    def __init__(self, library: Path, capacity: int = 3000, threads: int | None = None, parent=None):
        super().__init__(parent)
        self.library = Path(library)
        self.capacity = capacity  # pixmaps kept in memory; roughly 3000 x 256 px x 4 B = 0.6 GB worst case
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads or max(2, QThreadPool.globalInstance().maxThreadCount() - 1))
        self.signals = _Signals()
        self.signals.loaded.connect(self._on_loaded)
        self.signals.dropped.connect(self._pending_discard)
        self._cache: OrderedDict[Key, QPixmap] = OrderedDict()
        self._pending: set[Key] = set()
        self._wanted: set[Key] = set()
        self._kept: set[Key] = set()  # requests that scrolling never drops
        self._serial = 0
        self.broken = QPixmap()  # a null pixmap marks "cannot be read"

    # -- GUI thread -------------------------------------------------------------------------
    def pixmap(self, path: str, mtime: float, size: int, keep: bool = False) -> QPixmap | None:
        """The cached pixmap, or None after queueing a request (placeholder meanwhile).
        ``keep``: wanted whatever the gallery scrolls to (an album's cover)."""
        key = (path, Library.thumbnail_bucket(size))
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        self._wanted.add(key)
        if keep:
            self._kept = self._kept | {key}  # a new set: worker threads read it unlocked
        if key not in self._pending:
            self._pending.add(key)
            self._serial += 1
            self.pool.start(_ThumbnailTask(self, key, mtime), priority=self._serial % (1 << 30))
        return None

    def set_visible(self, paths: list[str], size: int) -> None:
        """Rows now on screen; anything queued for other rows is dropped when its turn comes."""
        bucket = Library.thumbnail_bucket(size)
        self._wanted = {(p, bucket) for p in paths}  # one assignment: atomic for worker threads

    def pending_count(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        self._wanted, self._kept = set(), set()
        self.pool.clear()
        self._pending.clear()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        self.clear()
        return self.pool.waitForDone(timeout_ms)

    def _on_loaded(self, key: Key, image: QImage) -> None:
        self._pending.discard(key)
        self._kept = self._kept - {key}
        self._cache[key] = QPixmap.fromImage(image) if not image.isNull() else self.broken
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        self.ready.emit(key[0])

    def _pending_discard(self, key: Key) -> None:
        self._pending.discard(key)

    # -- any thread ----------------------------------------------------------------------------
    def is_wanted(self, key: Key) -> bool:
        return key in self._wanted or key in self._kept


def centre_square(pixmap):
    """The largest square from the middle of ``pixmap`` (an album's or a strip's cover)."""
    side = min(pixmap.width(), pixmap.height())
    return pixmap.copy((pixmap.width() - side) // 2, (pixmap.height() - side) // 2, side, side)
