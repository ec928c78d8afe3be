"""PhotoListModel: the gallery's rows (date-sorted photos or ranked results) for a QListView.

Rows are small tuples; everything a view shows is computed lazily in ``data()`` for the
rows it paints, so 100,000 photos cost one list and one dict, not 100,000 widgets.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

PathRole = Qt.ItemDataRole.UserRole + 1
ScoreRole = Qt.ItemDataRole.UserRole + 2
ThumbnailRole = Qt.ItemDataRole.UserRole + 3  # a QPixmap, or None while it is loading


class PhotoRow(NamedTuple):
    id: int
    path: str
    mtime: float
    taken: float | None
    score: float | None  # None when browsing; similarity when showing search results


class PhotoListModel(QAbstractListModel):
    def __init__(self, thumbnails=None, parent=None):
        super().__init__(parent)
        self._rows: list[PhotoRow] = []
        self._row_of: dict[str, int] | None = None  # built on first need, not on every reset
        self.thumbnails = thumbnails  # a ThumbnailLoader, or None for no thumbnails
        self.thumb_size = 160
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

    def row_at(self, row: int) -> PhotoRow:
        return self._rows[row]

    def row_of_path(self, path: str) -> int | None:
        if self._row_of is None:
            self._row_of = {r.path: i for i, r in enumerate(self._rows)}
        return self._row_of.get(path)

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
            return self.thumbnails.pixmap(row.path, row.mtime, self.thumb_size)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return os.path.basename(row.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row)
        if role == PathRole:
            return row.path
        if role == ScoreRole:
            return row.score
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def _thumbnail_ready(self, path: str) -> None:
        row = self.row_of_path(path)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [ThumbnailRole])


def _tooltip(row: PhotoRow) -> str:
    lines = [os.path.basename(row.path)]
    if row.score is not None:
        lines.append(f"match score {row.score:.3f}")
    if row.taken:
        lines.append(datetime.fromtimestamp(row.taken).strftime("%d %b %Y, %H:%M"))
    lines.append(os.path.dirname(row.path))
    return "\n".join(lines)
