"""GalleryView: the photos in justified rows (or square crops) under date headers.

One item view over the PhotoListModel, no per-photo widgets. The layout is computed by the
pure ``layout.justified.justify`` (flat arrays), so painting, hit-testing and the visible
range are bisections over it: O(log n) per scroll step however many photos there are.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem

from photoapp.gui.delegates.thumbnail_delegate import ThumbnailDelegate
from photoapp.gui.layout import timeline
from photoapp.gui.layout.justified import GAP, HEADER_HEIGHT, Layout, justify

MIN_THUMB, MAX_THUMB = 80, 400  # row height, px
DAY_HEADERS_FROM = 260  # row height at which browsing groups by day rather than by month
PAD = 8  # px around the content
RELAYOUT_MS = 40  # resizes and row insertions closer than this lay out once
THUMB_OVERSIZE = 1.4  # a thumbnail's longest side per px of row height (3:2 photos, a little crop)


_MOVES = {
    Qt.Key.Key_Left: QAbstractItemView.CursorAction.MoveLeft,
    Qt.Key.Key_Right: QAbstractItemView.CursorAction.MoveRight,
    Qt.Key.Key_Up: QAbstractItemView.CursorAction.MoveUp,
    Qt.Key.Key_Down: QAbstractItemView.CursorAction.MoveDown,
    Qt.Key.Key_Home: QAbstractItemView.CursorAction.MoveHome,
    Qt.Key.Key_End: QAbstractItemView.CursorAction.MoveEnd,
    Qt.Key.Key_PageUp: QAbstractItemView.CursorAction.MovePageUp,
    Qt.Key.Key_PageDown: QAbstractItemView.CursorAction.MovePageDown,
}


class Grouping:
    NONE = "none"  # one run, no headers (best match first, by name)
    MONTH = "month"  # month headers (search results grouped by date)
    AUTO = "auto"  # browsing: months, or days when the thumbnails are large


class GalleryView(QAbstractItemView):
    visible_rows_changed = Signal(int, int)  # first, last (inclusive); -1, -1 when empty
    zoom_requested = Signal(int)  # +1 / -1 steps (Ctrl+wheel)
    layout_changed = Signal()  # a new layout: the scrubber's year marks move

    def __init__(self, parent=None):
        super().__init__(parent)
        self.delegate = ThumbnailDelegate(self)
        self.setItemDelegate(self.delegate)
        self.layout_ = Layout()
        self.row_height, self.square, self.grouping = 180, False, Grouping.AUTO
        self._hover = -1
        self._anchor = -1  # where a Shift+click range starts: the last photo clicked without Shift
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.viewport().setAcceptDrops(False)  # dropped folders go to the main window
        self.setMouseTracking(True)  # hover highlight and score badge
        self.setFrameShape(QAbstractItemView.Shape.NoFrame)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        # Coalesce scroll/resize bursts into one visible-range update per event-loop pass.
        self._range_timer = QTimer(self, singleShot=True, interval=0)
        self._range_timer.timeout.connect(self._emit_visible_rows)
        # A window being dragged wider resizes many times a second: lay out once it pauses.
        self._relayout_timer = QTimer(self, singleShot=True, interval=RELAYOUT_MS)
        self._relayout_timer.timeout.connect(self.relayout)
        self.verticalScrollBar().valueChanged.connect(self._range_timer.start)

    # -- settings ---------------------------------------------------------------------------------
    def set_thumb_size(self, size: int) -> None:
        """The row height (justified) or the side of a square; keeps the first photo in view."""
        size = max(MIN_THUMB, min(MAX_THUMB, int(size)))
        if size != self.row_height:
            self.row_height = size
            self.relayout()

    @property
    def thumb_size(self) -> int:
        return self.row_height

    def thumbnail_size(self) -> int:
        """The pixel size to ask thumbnails in (HiDPI screens get sharper ones)."""
        return int(self.row_height * THUMB_OVERSIZE * self.devicePixelRatioF())

    def set_square(self, square: bool) -> None:
        if square != self.square:
            self.square = square
            self.relayout()

    def set_grouping(self, grouping: str, relayout: bool = True) -> None:
        if grouping != self.grouping:
            self.grouping = grouping
            if relayout:
                self.relayout()

    def by_day(self) -> bool:
        return self.grouping == Grouping.AUTO and self.row_height >= DAY_HEADERS_FROM

    # -- layout -----------------------------------------------------------------------------------
    def relayout(self) -> None:
        """Lay every row out again (new rows, width, size or grouping), keeping the photo at
        the top of the view at the top."""
        self._relayout_timer.stop()
        model = self.model()
        rows = model.rows() if model is not None else []
        anchor = self.visible_rows()[0] if len(self.layout_) == len(rows) else -1
        groups = None
        if self.grouping != Grouping.NONE and rows:
            groups = timeline.groups([r.day for r in rows], by_day=self.by_day())
        width = max(MIN_THUMB, self.viewport().width() - 2 * PAD)
        self.layout_ = justify(model.aspects() if rows else [], width, self.row_height, GAP, groups, square=self.square)
        self.updateGeometries()
        if anchor >= 0:
            self.verticalScrollBar().setValue(self._top_of(anchor))
        self.viewport().update()
        self._range_timer.start()
        self.layout_changed.emit()

    def _top_of(self, row: int) -> int:
        """Content y that puts ``row``'s line (and its header, when it is the group's first) at the top."""
        y = self.layout_.rect(row)[1]
        if any(h.first == row for h in self.layout_.headers_between(y - HEADER_HEIGHT - GAP, y)):
            y -= HEADER_HEIGHT
        return max(0, y)

    def updateGeometries(self) -> None:
        super().updateGeometries()
        bar = self.verticalScrollBar()
        height = self.viewport().height()
        bar.setRange(0, max(0, self.layout_.height + 2 * PAD - height))
        bar.setPageStep(height)
        bar.setSingleStep(max(20, self.row_height // 3))

    def content_height(self) -> int:
        return self.layout_.height + 2 * PAD

    def jump_to_fraction(self, fraction: float) -> None:
        """Scroll so the content at ``fraction`` of its height is at the top (the scrubber)."""
        y = int(max(0.0, min(1.0, fraction)) * self.layout_.height)
        self.verticalScrollBar().setValue(y + PAD if y else 0)  # content y, below the top padding

    def title_at(self, fraction: float) -> str:
        """The header of the group at ``fraction`` of the content (the scrubber's bubble)."""
        y = int(max(0.0, min(1.0, fraction)) * self.layout_.height)
        headers = self.layout_.headers_between(0, y + 1)
        return headers[-1].title if headers else ""

    # -- the model's changes ------------------------------------------------------------------------
    def setModel(self, model) -> None:
        super().setModel(model)
        model.modelReset.connect(self._range_timer.start)
        model.shapes_changed.connect(self.relayout)

    def reset(self) -> None:
        super().reset()
        self._hover, self._anchor = -1, -1
        self.layout_ = Layout()  # no anchor: a new listing starts at the top
        self.relayout()

    def rowsInserted(self, parent, start: int, end: int) -> None:
        super().rowsInserted(parent, start, end)
        self._relayout_timer.start()

    def rowsAboutToBeRemoved(self, parent, start: int, end: int) -> None:
        super().rowsAboutToBeRemoved(parent, start, end)
        self._relayout_timer.start()

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:
        if top_left == bottom_right and top_left.isValid():
            self.viewport().update(self.visualRect(top_left))
        else:
            self.viewport().update()

    # -- geometry (QAbstractItemView's interface) ---------------------------------------------------
    def visualRect(self, index: QModelIndex) -> QRect:
        if not index.isValid() or index.row() >= len(self.layout_):
            return QRect()
        x, y, w, h = self.layout_.rect(index.row())
        return QRect(x + PAD, y + PAD - self.verticalOffset(), w, h)

    def indexAt(self, point) -> QModelIndex:
        model = self.model()
        item = self.layout_.item_at(point.x() - PAD, point.y() + self.verticalOffset() - PAD)
        return model.index(item) if item is not None and model is not None else QModelIndex()

    def scrollTo(self, index: QModelIndex, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        if not index.isValid() or index.row() >= len(self.layout_):
            return
        _x, y, _w, h = self.layout_.rect(index.row())
        bar, view = self.verticalScrollBar(), self.viewport().height()
        if hint == QAbstractItemView.ScrollHint.PositionAtTop:
            bar.setValue(self._top_of(index.row()))
        elif hint == QAbstractItemView.ScrollHint.PositionAtCenter:
            bar.setValue(y + PAD + h // 2 - view // 2)
        elif y + PAD < bar.value():
            bar.setValue(self._top_of(index.row()))
        elif y + PAD + h > bar.value() + view:
            bar.setValue(y + 2 * PAD + h - view)

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index) -> bool:
        return False

    def moveCursor(self, action, modifiers) -> QModelIndex:
        model, n = self.model(), len(self.layout_)
        if model is None or n == 0:
            return QModelIndex()
        current = self.currentIndex().row() if self.currentIndex().isValid() else -1
        if current < 0:
            return model.index(0)
        move = QAbstractItemView.CursorAction
        if action in (move.MoveLeft, move.MovePrevious):
            target = current - 1
        elif action in (move.MoveRight, move.MoveNext):
            target = current + 1
        elif action == move.MoveHome:
            target = 0
        elif action == move.MoveEnd:
            target = n - 1
        else:
            x, y, w, h = self.layout_.rect(current)
            view = self.viewport().height()
            dy = {move.MoveUp: -1, move.MoveDown: h + 1, move.MovePageUp: -view, move.MovePageDown: view}.get(action)
            target = current if dy is None else self._nearest(x + w // 2, y + dy, current)
        return model.index(max(0, min(n - 1, target)))

    def _nearest(self, x: int, y: int, current: int) -> int:
        """The photo on the line at content height ``y`` (or the next one there) nearest ``x``."""
        layout = self.layout_
        lines = layout.lines_between(max(0, y), max(0, y) + 1)
        if not lines:
            return 0 if y < 0 else len(layout) - 1
        line = lines.start if layout.line_top[lines.start] + layout.line_height[lines.start] > y else lines.stop
        if line >= len(layout.line_top):
            return current
        items = layout.items_of_line(line)
        return min(items, key=lambda i: abs(layout.x[i] + layout.w[i] // 2 - x))

    def setSelection(self, rect: QRect, command) -> None:
        model, layout = self.model(), self.layout_
        top = rect.top() + self.verticalOffset() - PAD
        left, right = rect.left() - PAD, rect.right() - PAD
        selection = QItemSelection()
        for line in layout.lines_between(top, top + max(1, rect.height())):
            hits = [i for i in layout.items_of_line(line) if layout.x[i] <= right and layout.x[i] + layout.w[i] > left]
            if hits:
                selection.select(model.index(hits[0]), model.index(hits[-1]))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection) -> QRegion:
        return QRegion(self.viewport().rect())  # repaint what is on screen: a bisection, not a walk

    # -- visible rows -------------------------------------------------------------------------------
    def visible_rows(self) -> tuple[int, int]:
        """From the layout's arrays by bisection: O(log n) however many rows there are."""
        top = self.verticalOffset() - PAD
        items = self.layout_.items_between(top, top + self.viewport().height())
        return (items.start, items.stop - 1) if items else (-1, -1)

    def _emit_visible_rows(self) -> None:
        self.visible_rows_changed.emit(*self.visible_rows())

    # -- painting and events ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self.viewport())
        offset = self.verticalOffset()
        area = event.rect()
        top, bottom = area.top() + offset - PAD, area.bottom() + offset - PAD + 1
        self._paint_headers(painter, top, bottom, offset)
        model, selection, current = self.model(), self.selectionModel(), self.currentIndex()
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        base_state = option.state & ~(QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus)
        for row in self.layout_.items_between(top, bottom):
            index = model.index(row)
            option.rect = self.visualRect(index)
            state = base_state
            if selection is not None and selection.isSelected(index):
                state |= QStyle.StateFlag.State_Selected
            if row == self._hover:
                state |= QStyle.StateFlag.State_MouseOver
            if index == current and self.hasFocus():
                state |= QStyle.StateFlag.State_HasFocus
            option.state = state
            self.delegate.paint(painter, option, index)
        painter.end()

    def _paint_headers(self, painter: QPainter, top: int, bottom: int, offset: int) -> None:
        headers = self.layout_.headers_between(top, bottom)
        if not headers:
            return
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        for header in headers:
            rect = QRect(PAD + 2, header.top + PAD - offset, self.viewport().width() - 2 * PAD, HEADER_HEIGHT - GAP)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, header.title)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._relayout_timer.start()  # a burst of resizes lays out once
        else:
            self.updateGeometries()
        self._range_timer.start()

    def mousePressEvent(self, event) -> None:
        """Shift+click selects the photos from the last one clicked to this one in reading
        order (Qt's default is the rectangle between them: odd on rows of unequal widths)."""
        index = self.indexAt(event.position().toPoint())
        mods = event.modifiers()
        shift = event.button() == Qt.MouseButton.LeftButton and mods & Qt.KeyboardModifier.ShiftModifier
        if shift and index.isValid() and 0 <= self._anchor < self.model().rowCount():
            self._select_to(index, add=bool(mods & Qt.KeyboardModifier.ControlModifier))
            return
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        """Shift+arrows (Home, End, Page keys) extend the selection in reading order too."""
        action = _MOVES.get(event.key())
        shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if action is not None and shift and 0 <= self._anchor < self.model().rowCount():
            target = self.moveCursor(action, event.modifiers())
            if target.isValid():
                self._select_to(target, add=False)
                self.scrollTo(target)
            event.accept()
            return
        super().keyPressEvent(event)

    def _select_to(self, index: QModelIndex, add: bool) -> None:
        """Select from the anchor to ``index`` (replacing the selection unless ``add``); the
        anchor stays, so the next Shift+click or Shift+arrow starts where this one did."""
        first, last = sorted((self._anchor, index.row()))
        flag = QItemSelectionModel.SelectionFlag
        selection = QItemSelection(self.model().index(first), self.model().index(last))
        self.selectionModel().select(selection, flag.Select if add else flag.ClearAndSelect)
        anchor = self._anchor
        self.selectionModel().setCurrentIndex(index, flag.NoUpdate)
        self._anchor = anchor

    def currentChanged(self, current, previous) -> None:
        super().currentChanged(current, previous)
        if current.isValid():
            self._anchor = current.row()

    def mouseMoveEvent(self, event) -> None:
        index = self.indexAt(event.position().toPoint())
        row = index.row() if index.isValid() else -1
        if row != self._hover:
            self._set_hover(row)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self._set_hover(-1)
        super().leaveEvent(event)

    def _set_hover(self, row: int) -> None:
        old, self._hover = self._hover, row
        model = self.model()
        for r in (old, row):
            if r >= 0 and model is not None and r < model.rowCount():
                self.viewport().update(self.visualRect(model.index(r)).adjusted(-2, -2, 2, 2))

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_requested.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(800, 600)
