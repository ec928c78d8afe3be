"""GalleryView: one QListView in icon mode over the PhotoListModel; no per-photo widgets."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListView

from photoapp.gui.delegates.thumbnail_delegate import ThumbnailDelegate
from photoapp.gui.style import GALLERY_BACKGROUND

MIN_THUMB, MAX_THUMB = 80, 400


class GalleryView(QListView):
    visible_rows_changed = Signal(int, int)  # first, last (inclusive); -1, -1 when empty
    zoom_requested = Signal(int)  # +1 / -1 steps (Ctrl+wheel, Ctrl+plus/minus)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.delegate = ThumbnailDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setUniformItemSizes(True)  # layout from one size hint: cheap with 100k rows
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Icon-mode layout walks every row (~1 s for 100k): in batches it never blocks the
        # event loop for long, and the first screenful shows at once.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(4000)
        self.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.viewport().setAcceptDrops(False)  # dropped folders go to the main window
        self.setMouseTracking(True)  # hover highlight and score badge
        self.setSpacing(0)
        self.setFrameShape(QListView.Shape.NoFrame)
        palette = self.palette()  # the delegate derives placeholder colours from Base
        palette.setColor(QPalette.ColorRole.Base, QColor(GALLERY_BACKGROUND))
        palette.setColor(QPalette.ColorRole.Text, QColor("#e8e8e8"))
        self.setPalette(palette)
        self.verticalScrollBar().setSingleStep(40)
        # Coalesce scroll/resize bursts into one visible-range update per event-loop pass.
        self._range_timer = QTimer(self, singleShot=True, interval=0)
        self._range_timer.timeout.connect(self._emit_visible_rows)
        self.verticalScrollBar().valueChanged.connect(self._range_timer.start)
        self.set_thumb_size(160)

    def setModel(self, model) -> None:
        super().setModel(model)
        model.modelReset.connect(self._range_timer.start)
        model.rowsInserted.connect(self._range_timer.start)

    def set_thumb_size(self, size: int) -> None:
        size = max(MIN_THUMB, min(MAX_THUMB, size))
        self.delegate.thumb_size = size
        self.setGridSize(self.delegate.cell_size())
        self.verticalScrollBar().setSingleStep(max(20, size // 4))
        self._range_timer.start()

    @property
    def thumb_size(self) -> int:
        return self.delegate.thumb_size

    def visible_rows(self) -> tuple[int, int]:
        """From the grid geometry, not per-item queries: O(1) however many rows there are."""
        model = self.model()
        count = model.rowCount() if model is not None else 0
        grid = self.gridSize()
        if count == 0 or grid.width() <= 0 or grid.height() <= 0:
            return -1, -1
        cols = max(1, self.viewport().width() // grid.width())
        top = self.verticalOffset()
        first_line = max(0, top // grid.height())
        last_line = (top + self.viewport().height()) // grid.height()
        first = min(count - 1, first_line * cols)
        last = min(count - 1, (last_line + 1) * cols - 1)
        return first, last

    def _emit_visible_rows(self) -> None:
        self.visible_rows_changed.emit(*self.visible_rows())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._range_timer.start()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = 1 if event.angleDelta().y() > 0 else -1
            self.zoom_requested.emit(steps)
            event.accept()
            return
        super().wheelEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(800, 600)
