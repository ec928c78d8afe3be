"""The application icon, drawn in code so the GUI needs no image files to start.

This drawing is the icon's one source: installers/make_icons.py renders it into the
PNG/ICO/ICNS files under resources/icons that the installers and the .desktop entry use.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QLinearGradient, QPainter, QPixmap, QPolygonF


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):  # every size drawn: sharp at 125-200 %
        icon.addPixmap(draw_icon(size))
    return icon


def draw_icon(size: int) -> QPixmap:
    """The icon at ``size`` x ``size`` pixels (vector drawing: sharp at any size)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 64.0
    sky = QLinearGradient(0, 0, 0, size)
    sky.setColorAt(0, QColor("#4f8cff"))
    sky.setColorAt(1, QColor("#8a5cf6"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(sky)
    p.drawRoundedRect(QRectF(2 * s, 2 * s, 60 * s, 60 * s), 14 * s, 14 * s)
    p.setBrush(QColor("#ffd166"))
    p.drawEllipse(QPointF(44 * s, 20 * s), 7 * s, 7 * s)  # sun
    p.setBrush(QColor(255, 255, 255, 230))
    p.drawPolygon(
        QPolygonF(
            [
                QPointF(8 * s, 52 * s),
                QPointF(26 * s, 26 * s),
                QPointF(38 * s, 42 * s),
                QPointF(44 * s, 35 * s),
                QPointF(56 * s, 52 * s),
            ]
        )
    )  # mountains
    p.end()
    return pm
