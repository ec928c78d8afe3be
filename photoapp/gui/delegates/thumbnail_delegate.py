"""ThumbnailDelegate: paints one gallery cell (thumbnail, placeholder, selection, badges).

The cell is exactly the photo's box in the justified layout: the thumbnail covers it
(cropped to the box, which differs from the photo's own ratio only in square mode).
``paint`` is a short list of steps; a decoration (selection marks, favourites) is one more
call in ``_decorate``.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from photoapp.gui.delegates.badges import paint_badges
from photoapp.gui.models.photo_list import BadgeRole, MarksRole, ScoreRole, ThumbnailRole


class ThumbnailDelegate(QStyledItemDelegate):
    def sizeHint(self, option, index) -> QSize:
        return option.rect.size()  # the view lays cells out; a delegate does not choose sizes

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        box = QRectF(option.rect)
        pixmap = index.data(ThumbnailRole)
        if pixmap is None:
            self._placeholder(painter, box, option.palette, "")
        elif pixmap.isNull():
            self._placeholder(painter, box, option.palette, "can't read")
        else:
            self._image(painter, box, pixmap)
        self._decorate(painter, box, option, index)
        painter.restore()

    def _decorate(self, painter: QPainter, box: QRectF, option, index) -> None:
        """What is drawn over the picture: selection, hover, the score and the media badge."""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        highlight = option.palette.color(QPalette.ColorRole.Highlight)
        if selected:
            painter.fillRect(box, QColor(highlight.red(), highlight.green(), highlight.blue(), 70))
            self._outline(painter, box, highlight, 4.0)
        elif hovered or focused:
            self._outline(painter, box, highlight.lighter(130), 2.0)
        score = index.data(ScoreRole)
        if hovered and score is not None:
            self._badge(painter, box, f"{score:.3f}")
        media = index.data(BadgeRole)  # a video's duration, or RAW
        if media:
            self._badge(painter, box, media, right=True)
        paint_badges(painter, box, index.data(MarksRole), selected, highlight)  # check mark, heart, stars

    @staticmethod
    def _image(painter: QPainter, box: QRectF, pixmap) -> None:
        """Cover ``box``: scale to fill it and crop the overflow around the centre."""
        pw, ph = pixmap.width() / pixmap.devicePixelRatio(), pixmap.height() / pixmap.devicePixelRatio()
        scale = max(box.width() / max(1.0, pw), box.height() / max(1.0, ph))
        sw, sh = box.width() / scale, box.height() / scale  # the source part that is shown
        ratio = pixmap.devicePixelRatio()
        source = QRectF((pw - sw) / 2 * ratio, (ph - sh) / 2 * ratio, sw * ratio, sh * ratio)
        painter.drawPixmap(box, pixmap, source)

    @staticmethod
    def _placeholder(painter: QPainter, box: QRectF, palette: QPalette, text: str) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillRect(box, base.darker(110) if base.lightness() > 128 else base.lighter(150))
        if text:
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _outline(painter: QPainter, box: QRectF, colour: QColor, width: float) -> None:
        painter.setPen(QPen(colour, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box.adjusted(width / 2, width / 2, -width / 2, -width / 2))

    @staticmethod
    def _badge(painter: QPainter, box: QRectF, text: str, right: bool = False) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
        left = box.right() - w - 4 if right else box.left() + 4
        rect = QRectF(left, box.bottom() - h - 4, w, h)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 190))
        painter.drawRoundedRect(rect, h / 2, h / 2)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
