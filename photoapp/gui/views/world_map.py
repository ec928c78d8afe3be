"""WorldMap: an offline map of the world with the photos' positions as clustered markers.

Land is Natural Earth's country outlines (Library.world_outlines, drawn with QPainter from
one QPainterPath in degrees: no tile server, no network); positions are gathered into one
marker per grid cell of about CELL_PX screen pixels (Library.cluster_positions), so a
marker's count changes with the zoom. The wheel (or + / -) zooms around the pointer, a drag
pans, a click on a marker chooses its photos, and Shift+drag (or a right-button drag)
draws a box whose photos are chosen: ``area_chosen`` carries (south, west, north, east).
The projection is plate carrée (x = longitude, y = -latitude): simple and exact to invert.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from photoapp.core.library import Library

CELL_PX = 56  # a marker gathers the photos within about this many pixels
MAX_SCALE = 20_000.0  # px per degree: about 5 m per pixel, to tell apart photos taken streets apart
OCEAN, LAND, BORDER = QColor("#b9d3e6"), QColor("#eceae2"), QColor("#9aa59a")
MARKER, MARKER_EDGE = QColor("#d9480f"), QColor("#ffffff")


class WorldMap(QWidget):
    area_chosen = Signal(object, int)  # (south, west, north, east), photos inside (-1: not counted)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("worldMap")
        self.setMinimumSize(320, 200)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.land = _land()
        self.lat = np.zeros(0)
        self.lon = np.zeros(0)
        self.center = QPointF(10.0, -25.0)  # (lon, -lat) at the middle of the widget
        self.scale = 0.0  # px per degree; 0: fit the world on the first paint
        self._clusters: list = []
        self._cluster_key = None
        self._press: QPointF | None = None
        self._press_center = QPointF()
        self._box: QRectF | None = None  # the box being drawn, in widget pixels
        self._dragged = False
        self._sprites: dict = {}

    # -- data ---------------------------------------------------------------------------------
    def set_positions(self, lat: np.ndarray, lon: np.ndarray) -> None:
        self.lat, self.lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        self._cluster_key = None
        self.update()

    def clusters(self) -> list:
        """The markers of the current view (computed when the zoom or the view's cells change)."""
        cell = self.cell()
        south, west, north, east = self.view_box()
        margin = max(cell, (north - south) / 2)  # panning half a screen needs no new clusters
        key = (cell, math.floor(south / margin), math.floor(west / margin), math.floor(north / margin))
        if key != self._cluster_key:
            view = (south - margin, west - margin, north + margin, east + margin)
            self._clusters = Library.cluster_positions(self.lat, self.lon, cell, view)
            self._cluster_key = key
        return self._clusters

    def cell(self) -> float:
        """Cell size in degrees at this zoom, in steps of powers of two (stable while zooming a little)."""
        raw = CELL_PX / self._scale()
        return float(2.0 ** round(math.log2(raw)))

    # -- geometry -----------------------------------------------------------------------------
    def _fit_scale(self) -> float:
        return max(1e-6, min(self.width() / 360.0, self.height() / 170.0))

    def _scale(self) -> float:
        if self.scale <= 0:
            self.scale = self._fit_scale()
        return self.scale

    def to_screen(self, lon: float, lat: float) -> QPointF:
        s = self._scale()
        return QPointF((lon - self.center.x()) * s + self.width() / 2, (-lat - self.center.y()) * s + self.height() / 2)

    def to_degrees(self, point: QPointF) -> tuple[float, float]:
        """(lat, lon) under a widget point."""
        s = self._scale()
        lon = (point.x() - self.width() / 2) / s + self.center.x()
        y = (point.y() - self.height() / 2) / s + self.center.y()
        return -y, lon

    def view_box(self) -> tuple[float, float, float, float]:
        north, west = self.to_degrees(QPointF(0, 0))
        south, east = self.to_degrees(QPointF(self.width(), self.height()))
        return max(-90.0, south), max(-180.0, west), min(90.0, north), min(180.0, east)

    def zoom(self, factor: float, around: QPointF | None = None) -> None:
        around = around if around is not None else QPointF(self.width() / 2, self.height() / 2)
        lat, lon = self.to_degrees(around)
        self.scale = min(MAX_SCALE, max(self._fit_scale(), self._scale() * factor))
        # keep the point under the pointer where it was
        s = self.scale
        self.center = QPointF(lon - (around.x() - self.width() / 2) / s, -lat - (around.y() - self.height() / 2) / s)
        self._clamp()
        self.update()

    def show_world(self) -> None:
        self.scale = self._fit_scale()
        self.center = QPointF(10.0, -25.0)
        self._clamp()
        self.update()

    def look_at(self, box: tuple[float, float, float, float]) -> None:
        """Zoom so that (south, west, north, east) fills the view."""
        south, west, north, east = box
        span_x, span_y = max(east - west, 0.01), max(north - south, 0.01)
        self.scale = min(MAX_SCALE, max(self._fit_scale(), 0.8 * min(self.width() / span_x, self.height() / span_y)))
        self.center = QPointF((west + east) / 2, -(south + north) / 2)
        self._clamp()
        self.update()

    def _clamp(self) -> None:
        half_w, half_h = self.width() / 2 / self._scale(), self.height() / 2 / self._scale()
        x = min(max(self.center.x(), -180 + half_w), 180 - half_w) if half_w < 180 else 0.0
        y = min(max(self.center.y(), -90 + half_h), 90 - half_h) if half_h < 90 else 0.0
        self.center = QPointF(x, y)

    def resizeEvent(self, event) -> None:
        self.scale = max(self.scale, self._fit_scale()) if self.scale > 0 else 0.0
        self._clamp()
        super().resizeEvent(event)

    # -- drawing ------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), OCEAN)
        s = self._scale()
        painter.save()
        painter.translate(self.width() / 2, self.height() / 2)
        painter.scale(s, s)
        painter.translate(-self.center.x(), -self.center.y())
        # The land is filled without antialiasing (an antialiased fill of the whole world costs
        # 45 ms a frame; this 7) and its outline then drawn antialiased, which hides the steps.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(LAND)
        painter.drawPath(self.land)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(BORDER, 0.8)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.land)
        painter.restore()
        self._draw_markers(painter)
        if self._box is not None:
            painter.setPen(QPen(QColor("#1c7ed6"), 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(28, 126, 214, 40))
            painter.drawRect(self._box)
        painter.end()

    def _draw_markers(self, painter: QPainter) -> None:
        bounds = QRectF(self.rect()).adjusted(-30, -30, 30, 30)
        for c in self.clusters():
            at = self.to_screen(c.lon, c.lat)
            if bounds.contains(at):
                sprite = self._sprite(c.count)
                half = QPointF(sprite.width(), sprite.height()) / 2 / sprite.devicePixelRatio()
                painter.drawPixmap(at - half, sprite)

    def _sprite(self, count: int):
        """A marker drawn once per label and reused (text drawing is the costly part of a frame)."""
        from PySide6.QtGui import QPixmap

        label, r = _short(count) if count > 1 else "", marker_radius(count)
        sprites, key = self._sprites, (label, int(r))
        if key not in sprites:
            ratio = self.devicePixelRatioF()
            side = int(2 * r + 4)
            pixmap = QPixmap(int(side * ratio), int(side * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(MARKER_EDGE, 1.5))
            p.setBrush(MARKER)
            center = QPointF(side / 2, side / 2)
            p.drawEllipse(center, r, r)
            if label:
                font = QFont(self.font())
                font.setBold(True)
                font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
                p.setFont(font)
                p.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, label)
            p.end()
            sprites[key] = pixmap
        return sprites[key]

    def marker_at(self, point: QPointF):
        """The cluster whose marker is under ``point`` (the nearest if several), or None."""
        best, best_d = None, None
        for c in self.clusters():
            at = self.to_screen(c.lon, c.lat)
            d = math.hypot(at.x() - point.x(), at.y() - point.y())
            if d <= marker_radius(c.count) + 3 and (best_d is None or d < best_d):
                best, best_d = c, d
        return best

    # -- input --------------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.5**steps, event.position())

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(2.0)
        elif key == Qt.Key.Key_Minus:
            self.zoom(0.5)
        elif key == Qt.Key.Key_0:
            self.show_world()
        else:
            super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        self.zoom(2.0, event.position())

    def mousePressEvent(self, event) -> None:
        self._press, self._press_center, self._dragged = event.position(), QPointF(self.center), False
        boxing = event.button() == Qt.MouseButton.RightButton or (event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self._box = QRectF(self._press, self._press) if boxing else None

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            marker = self.marker_at(event.position())
            self.setCursor(Qt.CursorShape.PointingHandCursor if marker else Qt.CursorShape.OpenHandCursor)
            self.setToolTip(marker_tip(marker.count) if marker else "")
            return
        delta = event.position() - self._press
        self._dragged = self._dragged or abs(delta.x()) + abs(delta.y()) > 4
        if self._box is not None:
            self._box = QRectF(self._press, event.position()).normalized()
        elif self._dragged:
            s = self._scale()
            self.center = QPointF(self._press_center.x() - delta.x() / s, self._press_center.y() - delta.y() / s)
            self._clamp()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        press, box, self._press, self._box = self._press, self._box, None, None
        self.update()
        if press is None:
            return
        if box is not None and self._dragged:
            north, west = self.to_degrees(box.topLeft())
            south, east = self.to_degrees(box.bottomRight())
            self.choose((max(-90.0, south), max(-180.0, west), min(90.0, north), min(180.0, east)))
        elif not self._dragged:
            marker = self.marker_at(event.position())
            if marker is not None:
                self.area_chosen.emit(marker.box, marker.count)

    def choose(self, box: tuple[float, float, float, float]) -> None:
        """Choose the photos inside a box (what a drawn box does)."""
        south, west, north, east = box
        inside = (self.lat >= south) & (self.lat <= north) & (self.lon >= west) & (self.lon <= east)
        self.area_chosen.emit(box, int(inside.sum()))


def marker_tip(count: int) -> str:
    return "1 photo here: click to show it" if count == 1 else f"{count:,} photos here: click to show them"


def marker_radius(count: int) -> float:
    return 7.0 + 3.0 * math.log10(max(1, count)) * 1.6


def _short(n: int) -> str:
    return f"{n:,}" if n < 1000 else f"{n / 1000:.0f}k" if n < 100_000 else f"{n // 1000}k"


def world_icon(side: int = 56):
    """A small globe (the sidebar's "World map…" entry): drawn, not decoded from the map data,
    so filling the sidebar never reads the shapes on the GUI thread."""
    from PySide6.QtGui import QIcon, QPixmap

    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    r = side / 2 - 2
    center = QPointF(side / 2, side / 2)
    painter.setPen(QPen(QColor("#5b7f95"), side / 28))
    painter.setBrush(OCEAN)
    painter.drawEllipse(center, r, r)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for k in (0.35, 0.75):  # meridians
        painter.drawEllipse(center, r * k, r)
    painter.drawLine(QPointF(center.x(), 2), QPointF(center.x(), side - 2))
    for y in (-0.5, 0.0, 0.5):  # parallels
        half = r * math.sqrt(1 - y * y)
        painter.drawLine(QPointF(center.x() - half, center.y() + y * r), QPointF(center.x() + half, center.y() + y * r))
    painter.end()
    return QIcon(pixmap)


def _land() -> QPainterPath:
    global _LAND
    if _LAND is None:
        _LAND = QPainterPath()
        _LAND.setFillRule(Qt.FillRule.WindingFill)
        for ring in Library.world_outlines():
            _LAND.addPolygon([QPointF(x, -y) for x, y in ring.tolist()])
    return _LAND


_LAND: QPainterPath | None = None
