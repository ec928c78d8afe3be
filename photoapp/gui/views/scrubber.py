"""TimelineScrubber: a strip on the gallery's right edge with the years down it; pressing
or dragging anywhere on it jumps the gallery there at once (as Google Photos' and Immich's
scrubbers do), with a bubble naming the month under the pointer."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from photoapp.gui.layout import timeline

WIDTH = 56


class TimelineScrubber(QWidget):
    def __init__(self, gallery, parent=None):
        super().__init__(parent)
        self.gallery = gallery
        self.marks: list[tuple[float, str]] = []
        self._drag: float | None = None  # where the pointer is while pressed (fraction)
        self.setFixedWidth(WIDTH)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Drag to move through time")
        self.setAccessibleName("Timeline")
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.bubble = QLabel(gallery.viewport())  # the month under the pointer while dragging
        self.bubble.setObjectName("scrubBubble")
        self.bubble.hide()
        gallery.layout_changed.connect(self.refresh)
        gallery.verticalScrollBar().valueChanged.connect(lambda _v: self.update())

    def refresh(self) -> None:
        """New rows or layout: the years move. Shown only when the gallery has date headers."""
        layout = self.gallery.layout_
        rows = self.gallery.model().rows() if self.gallery.model() is not None else []
        days = [r.day for r in rows]
        self.marks = timeline.year_marks(layout.headers, days, layout.height) if layout.headers else []
        self.setVisible(bool(self.marks))
        policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff if self.marks else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        self.gallery.setVerticalScrollBarPolicy(policy)  # one control on the right edge, not two
        self.update()

    def fraction_at(self, y: float) -> float:
        return max(0.0, min(1.0, y / max(1, self.height())))

    def y_of(self, fraction: float) -> float:
        return fraction * self.height()

    # -- input ------------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._jump(event.position().y())

    def mouseMoveEvent(self, event) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._jump(event.position().y())

    def mouseReleaseEvent(self, event) -> None:
        self._drag = None
        self.bubble.hide()
        self.update()

    def _jump(self, y: float) -> None:
        self._drag = self.fraction_at(y)
        self.gallery.jump_to_fraction(self._drag)
        title = self.gallery.title_at(self._drag)
        self.bubble.setText(title)
        self.bubble.adjustSize()
        view = self.gallery.viewport()
        top = max(0, min(view.height() - self.bubble.height(), int(y - self.bubble.height() / 2)))
        self.bubble.move(view.width() - self.bubble.width() - 8, top)
        self.bubble.setVisible(bool(title))
        self.update()

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        line = painter.fontMetrics().height()
        last_bottom = -line
        for fraction, label in self.marks:
            y = min(self.y_of(fraction), self.height() - line)
            if y < last_bottom:
                continue  # years too close to label them all: the earlier one wins
            painter.setPen(text)
            painter.drawText(QRectF(0, y, WIDTH - 6, line), Qt.AlignmentFlag.AlignRight, label)
            last_bottom = y + line
        self._paint_position(painter, palette)
        painter.end()

    def _paint_position(self, painter: QPainter, palette: QPalette) -> None:
        """A bar where the view is now."""
        bar = self.gallery.verticalScrollBar()
        total = max(1, self.gallery.layout_.height)
        at = self._drag if self._drag is not None else bar.value() / total
        highlight = palette.color(QPalette.ColorRole.Highlight)
        painter.fillRect(QRectF(WIDTH - 4, self.y_of(at), 4, max(6, self.height() * bar.pageStep() / total)), highlight)
