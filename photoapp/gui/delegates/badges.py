"""What a gallery cell shows of a photo's state, painted over its thumbnail: a check mark
on a selected photo, a heart on a favourite, its stars. Called by the thumbnail delegate
(``paint_badges``), kept apart from how the grid lays cells out."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

CHECK_SIZE = 22.0


def paint_badges(painter: QPainter, picture: QRectF, marks, selected: bool, highlight: QColor) -> None:
    """``marks``: the photo's Marks (None: none); ``picture``: where its thumbnail is drawn."""
    if selected:
        paint_check(painter, picture, highlight)
    if marks is None:
        return
    if marks.favourite:
        paint_heart(painter, QRectF(picture.right() - 24, picture.top() + 6, 18, 16))
    if marks.rating:
        paint_stars(painter, picture, marks.rating)


def paint_check(painter: QPainter, picture: QRectF, colour: QColor) -> None:
    """A filled circle with a white tick, top left: the photo is selected."""
    box = QRectF(picture.left() + 6, picture.top() + 6, CHECK_SIZE, CHECK_SIZE)
    painter.setPen(QPen(QColor(255, 255, 255), 2))
    painter.setBrush(colour)
    painter.drawEllipse(box)
    tick = QPainterPath(QPointF(box.left() + 6, box.center().y()))
    tick.lineTo(box.left() + 9.5, box.bottom() - 6.5)
    tick.lineTo(box.right() - 5.5, box.top() + 7)
    painter.setPen(QPen(QColor(255, 255, 255), 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(tick)


def paint_heart(painter: QPainter, box: QRectF) -> None:
    """A red heart with a white edge (readable on any photo)."""
    x, y, w, h = box.x(), box.y(), box.width(), box.height()
    path = QPainterPath(QPointF(x + w / 2, y + h))
    path.cubicTo(x - w * 0.1, y + h * 0.55, x + w * 0.05, y - h * 0.15, x + w / 2, y + h * 0.28)
    path.cubicTo(x + w * 0.95, y - h * 0.15, x + w * 1.1, y + h * 0.55, x + w / 2, y + h)
    painter.setPen(QPen(QColor(255, 255, 255), 1.5))
    painter.setBrush(QColor("#e0245e"))
    painter.drawPath(path)


def paint_stars(painter: QPainter, picture: QRectF, rating: int) -> None:
    """★★★ on a dark pill, bottom left."""
    font = QFont(painter.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    painter.setFont(font)
    text = "★" * rating
    metrics = painter.fontMetrics()
    w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
    rect = QRectF(picture.left() + 4, picture.bottom() - h - 4, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 170))
    painter.drawRoundedRect(rect, h / 2, h / 2)
    painter.setPen(QColor("#ffcc33"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
