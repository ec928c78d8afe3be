"""ImageCanvas: the viewer's photo, fitted or zoomed, with its zoom percentage and the
previous/next buttons that appear while the pointer is over it.

The zoom is kept in screen pixels per pixel of the original file, not of the pixmap on
show: the thumbnail stands in while the full image decodes, and a big photo is decoded
smaller than its file, yet "100 %" always means one pixel of the photo on one of the screen.
The canvas takes the keyboard focus when clicked, so the viewer's keys work again after
typing a tag; it handles no key itself (the page does).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
MAX_FIT = 1.0  # Fit never enlarges: a small photo shows at 100 % (Fill enlarges it, on demand)
FILL = "fill"  # the zoom that fills the window (cropping the photo's edges), enlarging as needed

OVERLAY_STYLE = """
QLabel#zoomLabel { background: rgba(0, 0, 0, 150); color: white; border-radius: 6px; padding: 3px 8px; }
QToolButton#stepButton { background: rgba(0, 0, 0, 120); color: white; border: none; border-radius: 20px;
                         font-size: 22px; }
QToolButton#stepButton:hover { background: rgba(0, 0, 0, 190); }
QToolButton#stepButton:disabled { color: rgba(255, 255, 255, 60); }
"""


def turned_box(box: tuple[float, float, float, float], rotation: int) -> tuple[float, float, float, float]:
    """A box ``(x, y, w, h)`` in fractions of the file's image, on the image turned
    ``rotation`` degrees clockwise (a rotation mark: the face boxes turn with the photo)."""
    x, y, w, h = box
    if rotation == 90:
        return 1 - y - h, x, h, w
    if rotation == 180:
        return 1 - x - w, 1 - y - h, w, h
    if rotation == 270:
        return y, 1 - x - w, h, w
    return x, y, w, h


class ImageCanvas(QWidget):
    zoom_changed = Signal(str)  # the zoom label's text: "Fit · 37 %", "Fill · 250 %" or "100 %"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)  # moves without a button show the previous/next buttons
        self.pixmap = QPixmap()
        self.source_size = QSize()  # the photo's size in its file (upright)
        self.zoom: float | str | None = None  # screen px per photo px; None: fit; FILL: fill the window
        self.pan = QPointF(0, 0)
        self.note = ""
        self.faces: list[tuple[tuple[float, float, float, float], str]] = []  # (box, name) to outline
        self.show_faces = False  # the viewer's face-box toggle (B)
        self.turn = 0  # degrees clockwise the shown pixmap is turned from the file (face boxes follow)
        self.claimed_keys: set[int] = set()  # keys the viewer handles: never a window shortcut
        self._drag_from: QPointF | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # click (or Tab) gives it the keys
        self.setMinimumSize(QSize(320, 240))
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.setStyleSheet(OVERLAY_STYLE)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("zoomLabel")
        self.prev_button = self._step_button("‹", "Previous photo (←)")
        self.next_button = self._step_button("›", "Next photo (→)")

    def _step_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("stepButton")
        button.setText(text)
        button.setToolTip(tip)
        button.setFixedSize(40, 64)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click never takes the keys from the photo
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.hide()  # shown while the pointer is over the photo
        return button

    # -- what is shown --------------------------------------------------------------------------
    def set_pixmap(self, pixmap: QPixmap, source_size: QSize | None = None, keep_view: bool = False) -> None:
        """``source_size``: the photo's size in its file, when known (else the pixmap's)."""
        self.pixmap = pixmap
        self.source_size = source_size if source_size is not None and not source_size.isEmpty() else pixmap.size()
        if not keep_view:
            self.zoom, self.pan = None, QPointF(0, 0)
        self._zoom_updated()

    def _ratio(self) -> float:
        """Device pixels per logical pixel (1.25 on a screen scaled to 125 %)."""
        return self.devicePixelRatioF() or 1.0

    def fit_scale(self) -> float:
        if self.source_size.isEmpty():
            return 1.0
        w, h, r = self.source_size.width(), self.source_size.height(), self._ratio()
        return min(self.width() * r / w, self.height() * r / h, MAX_FIT)

    def fill_scale(self) -> float:
        """The scale at which the photo covers the whole canvas (above 100 % if it must)."""
        if self.source_size.isEmpty():
            return 1.0
        w, h, r = self.source_size.width(), self.source_size.height(), self._ratio()
        return min(max(self.width() * r / w, self.height() * r / h), MAX_ZOOM)

    def scale(self) -> float:
        """Screen (device) pixels per pixel of the photo's file: on a screen scaled to 125 %,
        Fit enlarged a small photo 1.25 times while saying 100 % (walk, QT_SCALE_FACTOR=1.25)."""
        if self.zoom is None:
            return self.fit_scale()
        return self.fill_scale() if self.zoom == FILL else self.zoom

    def percent(self) -> int:
        return round(self.scale() * 100)

    def needs_more_pixels(self) -> bool:
        """The pixmap shown is enlarged beyond its own pixels and the file has more."""
        if self.pixmap.isNull() or self.source_size.isEmpty():
            return False
        return self.pixmap.width() < self.source_size.width() and self.scale() * self._file_per_pixmap() > 1.0

    def _file_per_pixmap(self) -> float:
        return self.source_size.width() / max(1, self.pixmap.width())

    def zoom_by(self, factor: float) -> None:
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, self.scale() * factor))
        self._zoom_updated()

    def set_zoom(self, zoom: float | str | None) -> None:
        """A scale, None (fit: the whole photo, never above 100 %) or FILL (the window full)."""
        self.zoom, self.pan = zoom, QPointF(0, 0)
        self._zoom_updated()

    def toggle_fill(self) -> None:
        """Fit ⇄ Fill (double-click, or 9): a small or narrow photo fills the window on demand."""
        self.set_zoom(None if self.zoom == FILL else FILL)

    def zoom_text(self) -> str:
        if self.zoom is None:
            return f"Fit · {self.percent()} %"
        return f"Fill · {self.percent()} %" if self.zoom == FILL else f"{self.percent()} %"

    def set_note(self, note: str) -> None:
        """Words before the zoom in the corner label ("▶ Slideshow"): seen even in full screen."""
        self.note = note
        self._zoom_updated()

    def _zoom_updated(self) -> None:
        self.zoom_label.setText(f"{self.note} · {self.zoom_text()}" if self.note else self.zoom_text())
        self.zoom_label.adjustSize()
        self._place_overlays()
        self.update()
        self.zoom_changed.emit(self.zoom_text())

    def _place_overlays(self) -> None:
        label = self.zoom_label
        label.move(self.width() - label.width() - 12, self.height() - label.height() - 12)
        y = (self.height() - self.prev_button.height()) // 2
        self.prev_button.move(12, y)
        self.next_button.move(self.width() - self.next_button.width() - 12, y)

    # -- events ---------------------------------------------------------------------------------
    def event(self, event) -> bool:
        # A key the viewer uses is never taken by a window-wide shortcut on the same key.
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in self.claimed_keys:
            event.accept()
            return True
        return super().event(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._zoom_updated()  # "fit" is a different percentage at another size

    def enterEvent(self, event) -> None:
        self.prev_button.show()
        self.next_button.show()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self.prev_button.hide()
        self.next_button.hide()
        super().leaveEvent(event)

    def photo_rect(self) -> QRectF:
        """Where the photo is drawn, in the widget's (logical) coordinates."""
        s = self.scale() / self._ratio()
        w, h = self.source_size.width() * s, self.source_size.height() * s
        origin = QPointF((self.width() - w) / 2, (self.height() - h) / 2) + self.pan
        return QRectF(origin.x(), origin.y(), w, h)

    def paintEvent(self, event) -> None:
        if self.pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        shown = self.photo_rect()
        origin, w, h = shown.topLeft(), shown.width(), shown.height()
        painter.drawPixmap(shown, self.pixmap, QRectF(self.pixmap.rect()))
        if self.show_faces:
            painter.setPen(QPen(Qt.GlobalColor.yellow, 2))
            for found, name in self.faces:
                x, y, bw, bh = turned_box(found, self.turn)
                box = QRectF(origin.x() + x * w, origin.y() + y * h, bw * w, bh * h)
                painter.drawRect(box)
                painter.drawText(box.adjusted(0, box.height() + 2, 60, box.height() + 20), name)

    def wheelEvent(self, event) -> None:
        self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def mousePressEvent(self, event) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._drag_from = event.position()

    def mouseMoveEvent(self, event) -> None:
        if not self.next_button.isVisible():  # a pointer already over the photo when it came
            self.prev_button.show()
            self.next_button.show()
        if self._drag_from is not None and self.zoom is not None:
            self.pan += event.position() - self._drag_from
            self._drag_from = event.position()
            self.update()

    def mouseDoubleClickEvent(self, event) -> None:
        self.toggle_fill()

    def mouseReleaseEvent(self, event) -> None:
        self._drag_from = None
