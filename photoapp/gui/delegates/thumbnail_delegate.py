"""ThumbnailDelegate: paints one gallery cell (thumbnail, placeholder, selection, score)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from photoapp.gui.delegates.badges import paint_badges
from photoapp.gui.models.photo_list import BadgeRole, MarksRole, ScoreRole, ThumbnailRole

MARGIN = 5  # space around each thumbnail inside its grid cell
RADIUS = 6.0


class ThumbnailDelegate(QStyledItemDelegate):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.thumb_size = 160

    def cell_size(self) -> QSize:
        side = self.thumb_size + 2 * MARGIN
        return QSize(side, side)

    def sizeHint(self, option, index) -> QSize:
        return self.cell_size()

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        box = QRectF(option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        pixmap = index.data(ThumbnailRole)
        picture = box  # where the picture is drawn (a thumbnail is fitted, letterboxed)
        if pixmap is None:
            self._placeholder(painter, box, option.palette, "")
        elif pixmap.isNull():
            self._placeholder(painter, box, option.palette, "can't read")
        else:
            picture = self._image(painter, box, pixmap)
        if selected or option.state & QStyle.StateFlag.State_HasFocus and hovered:
            self._outline(painter, box, option.palette.color(QPalette.ColorRole.Highlight), 3.0)
        elif hovered:
            self._outline(painter, box, option.palette.color(QPalette.ColorRole.Highlight).lighter(130), 1.5)
        score = index.data(ScoreRole)
        if hovered and score is not None:
            self._badge(painter, box, f"{score:.3f}")
        media = index.data(BadgeRole)  # a video's duration, or RAW
        if media:
            self._badge(painter, picture, media, right=True)
        highlight = option.palette.color(QPalette.ColorRole.Highlight)
        paint_badges(painter, picture, index.data(MarksRole), selected, highlight)  # check mark, heart, stars
        painter.restore()

    @staticmethod
    def _fit(box: QRectF, w: int, h: int) -> QRectF:
        scale = min(box.width() / max(1, w), box.height() / max(1, h))
        tw, th = w * scale, h * scale
        return QRectF(box.center().x() - tw / 2, box.center().y() - th / 2, tw, th)

    def _image(self, painter: QPainter, box: QRectF, pixmap) -> QRectF:
        target = self._fit(box, pixmap.width(), pixmap.height())
        clip = QPainterPath()
        clip.addRoundedRect(target, 3, 3)
        painter.setClipPath(clip)
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
        painter.setClipping(False)
        return target

    @staticmethod
    def _placeholder(painter: QPainter, box: QRectF, palette: QPalette, text: str) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        fill = base.darker(112) if base.lightness() > 128 else base.lighter(140)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box.adjusted(6, 6, -6, -6), RADIUS, RADIUS)
        if text:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _outline(painter: QPainter, box: QRectF, colour: QColor, width: float) -> None:
        painter.setPen(QPen(colour, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(-2, -2, 2, 2), RADIUS, RADIUS)

    @staticmethod
    def _badge(painter: QPainter, box: QRectF, text: str, right: bool = False) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
        left = box.right() - w - 4 if right else box.left() + 4
        rect = QRectF(left, box.bottom() - h - 4, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(rect, h / 2, h / 2)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
