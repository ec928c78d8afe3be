"""PhotoListModel: the gallery's rows (date-sorted photos or ranked results) for a QListView.

Rows are small tuples; everything a view shows is computed lazily in ``data()`` for the
rows it paints, so 100,000 photos cost one list and one dict, not 100,000 widgets.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QTransform

from photoapp.gui.layout.timeline import day_key

PathRole = Qt.ItemDataRole.UserRole + 1
ScoreRole = Qt.ItemDataRole.UserRole + 2
ThumbnailRole = Qt.ItemDataRole.UserRole + 3  # a QPixmap, or None while it is loading
KindRole = Qt.ItemDataRole.UserRole + 4  # "photo", "raw" or "video"
BadgeRole = Qt.ItemDataRole.UserRole + 5  # "▶ 0:12" for a video, "RAW" / "RAW+JPEG", or None
MarksRole = Qt.ItemDataRole.UserRole + 6  # the photo's Marks (stars, favourite, rotation), or None


class PhotoRow(NamedTuple):
    id: int
    path: str
    mtime: float
    taken: float | None
    score: float | None  # None when browsing; similarity when showing search results
    kind: str = "photo"  # photo | raw | video
    duration: float | None = None  # videos: seconds
    companion: str | None = None  # a RAW+JPEG pair's RAW file
    aspect: float | None = None  # width / height as displayed (None: unknown, laid out as 3:2)
    day: int = 0  # YYYYMMDD (local) it was taken, 0 when undated: the timeline's groups


class PhotoListModel(QAbstractListModel):
    shapes_changed = Signal()  # a photo turned on its side or back: the rows are laid out again

    def __init__(self, thumbnails=None, parent=None):
        super().__init__(parent)
        self._rows: list[PhotoRow] = []
        self._row_of: dict[str, int] | None = None  # built on first need, not on every reset
        self.thumbnails = thumbnails  # a ThumbnailLoader, or None for no thumbnails
        self.thumb_size = 160
        self.marks: dict = {}  # photo id -> Marks, for the photos that have any
        self._turned: dict = {}  # (pixmap key, rotation) -> the turned thumbnail
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)

    # -- contents -------------------------------------------------------------------------------
    def set_rows(self, rows: list[PhotoRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._row_of = None
        self.endResetModel()

    def rows(self) -> list[PhotoRow]:
        return self._rows

    def aspects(self) -> list[float | None]:
        """Width / height of each row as shown: a photo turned a quarter is as tall as it was wide."""
        sideways = self._sideways()
        return [1 / r.aspect if r.aspect and r.id in sideways else r.aspect for r in self._rows]

    def _sideways(self) -> set[int]:
        return {i for i, m in self.marks.items() if m.rotation in (90, 270)}

    def row_at(self, row: int) -> PhotoRow:
        return self._rows[row]

    def row_of_path(self, path: str) -> int | None:
        if self._row_of is None:
            self._row_of = {r.path: i for i, r in enumerate(self._rows)}
        return self._row_of.get(path)

    def set_marks(self, marks: dict) -> None:
        """Stars, hearts and rotations to show (id -> Marks); repaints what changed, and says
        when a photo turned on its side (its place in justified rows changes shape)."""
        sideways = self._sideways()
        self.marks = marks
        if self._sideways() != sideways:
            self.shapes_changed.emit()
        self._turned.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), [MarksRole, ThumbnailRole])

    def set_thumb_size(self, size: int) -> None:
        self.thumb_size = size
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), [ThumbnailRole])

    # -- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ThumbnailRole:
            if self.thumbnails is None:
                return None
            pixmap = self.thumbnails.pixmap(row.path, row.mtime, self.thumb_size)
            rotation = getattr(self.marks.get(row.id), "rotation", 0)
            return turned(pixmap, rotation, self._turned)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return os.path.basename(row.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row)
        if role == PathRole:
            return row.path
        if role == ScoreRole:
            return row.score
        if role == KindRole:
            return row.kind
        if role == BadgeRole:
            return badge(row)
        if role == MarksRole:
            return self.marks.get(row.id)
        return None

    # -- dragging photos out to other applications, as files -----------------------------------
    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setUrls([QUrl.fromLocalFile(self._rows[r].path) for r in rows])
        return data

    def supportedDragActions(self):
        return Qt.DropAction.CopyAction

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def _thumbnail_ready(self, path: str) -> None:
        row = self.row_of_path(path)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [ThumbnailRole])


def turned(pixmap, rotation: int, cache: dict):
    """``pixmap`` turned ``rotation`` degrees clockwise (a photo's rotation mark), cached."""
    if pixmap is None or pixmap.isNull() or not rotation:
        return pixmap
    key = (pixmap.cacheKey(), rotation)
    if key not in cache:
        if len(cache) > 2000:
            cache.clear()
        cache[key] = pixmap.transformed(QTransform().rotate(rotation))
    return cache[key]


def files_rows(paths: list[str]) -> tuple[list[PhotoRow], int]:
    """Rows for files named on the command line, and the row of the first: one file with
    the photos of its folder (by name), several files among themselves."""
    from photoapp.core.library import Library

    given = [os.path.abspath(p) for p in paths if Library.is_photo_file(os.path.abspath(p))]
    if not given:
        return [], 0
    if len(given) == 1:
        folder = os.path.dirname(given[0])
        names = sorted(os.listdir(folder), key=str.lower)
        files = [f for f in (os.path.join(folder, n) for n in names) if Library.is_photo_file(f)]
    else:
        files = given
    rows = [PhotoRow(-1 - i, f, os.path.getmtime(f), None, None, Library.media_kind(f)) for i, f in enumerate(files)]
    return rows, files.index(given[0])


def photo_row(photo, score: float | None = None) -> PhotoRow:
    """A gallery row for a catalog Photo."""
    aspect = photo.width / photo.height if photo.width and photo.height else None
    return PhotoRow(
        photo.id,
        photo.path,
        photo.mtime,
        photo.taken,
        score,
        photo.kind,
        photo.duration,
        photo.companion,
        aspect,
        day_key(photo.taken),
    )


def hit_row(hit) -> PhotoRow:
    """A gallery row for a search's SearchHit."""
    return PhotoRow(
        hit.photo_id,
        hit.path,
        hit.mtime,
        hit.taken,
        hit.score,
        hit.kind,
        hit.duration,
        hit.companion,
        hit.aspect,
        day_key(hit.taken),
    )


def format_duration(seconds: float | None) -> str:
    """0:07, 1:23, 1:02:03."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def badge(row: PhotoRow) -> str | None:
    """What a gallery cell says about a file that is not a plain photo."""
    if row.kind == "video":
        return f"▶ {format_duration(row.duration)}".rstrip()
    if row.kind == "raw":
        return "RAW+JPEG" if row.companion else "RAW"
    return None


def _tooltip(row: PhotoRow) -> str:
    lines = [os.path.basename(row.path)]
    if row.companion:
        lines[0] += f" + {os.path.basename(row.companion)}"
    if row.kind == "video":
        lines.append(f"video, {format_duration(row.duration) or 'length unknown'} (double-click plays it)")
    if row.score is not None:
        lines.append(f"match score {row.score:.3f}")
    if row.taken:
        lines.append(datetime.fromtimestamp(row.taken).strftime("%d %b %Y, %H:%M"))
    lines.append(os.path.dirname(row.path))
    return "\n".join(lines)
