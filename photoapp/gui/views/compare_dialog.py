"""CompareDialog: two to four photos side by side at the same displayed scale, zoomed and
panned together.

Duplicates differ in detail (recompression, a resize, a crop): only the same part of the
picture at the same size on screen shows which copy is better. Each photo is drawn so
that all have the width of the largest one (that one at 100 %, a half-size copy enlarged
2x), times a zoom shared by all panes (+ / − / 0 fit / 1 actual pixels of the largest,
Ctrl+wheel); panning one pans all to the same relative spot.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QScrollBar

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 8.0


class _Pane(QScrollArea):
    """A scroll area whose Ctrl+wheel zooms the dialog instead of scrolling."""

    def __init__(self, dialog, parent=None):
        super().__init__(parent)
        self.dialog = dialog

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.dialog.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)


class CompareDialog(QDialog):
    def __init__(self, images: list[tuple[str, QImage, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Compare — Photoapp")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        grid = QGridLayout(self)
        self.scrolls: list[QScrollArea] = []
        self.labels: list[QLabel] = []
        self.pixmaps: list[QPixmap] = []
        # The common width every photo is drawn at (zoom 1): the largest one's own pixels.
        self.reference = max((img.width() for _p, img, _e in images if not img.isNull()), default=0)
        for column, (path, image, error) in enumerate(images):
            caption = QLabel(self)
            if image.isNull():
                facts = error
            else:
                factor = self.reference / image.width()
                facts = f"{image.width()}×{image.height()}" + (f" · shown ×{factor:.2g}" if factor != 1 else "")
            caption.setText(f"<b>{os.path.basename(path)}</b> · {facts}")
            caption.setToolTip(path)
            label = QLabel(self)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            pixmap = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
            if pixmap.isNull():
                label.setText("This photo cannot be shown")
            scroll = _Pane(self, self)
            scroll.setWidget(label)
            scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(caption, 0, column)
            grid.addWidget(scroll, 1, column)
            self.scrolls.append(scroll)
            self.labels.append(label)
            self.pixmaps.append(pixmap)
        self.zoom_label = QLabel(self)
        controls = QHBoxLayout()
        for text, slot, tip in (
            ("−", lambda: self.zoom_by(1 / ZOOM_STEP), "Zoom out (−)"),
            ("+", lambda: self.zoom_by(ZOOM_STEP), "Zoom in (+)"),
            ("Fit", self.fit, "Whole photos (0)"),
            ("100 %", lambda: self.set_zoom(1.0), "Actual pixels of the largest photo (1)"),
        ):
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            controls.addWidget(button)
        controls.addWidget(self.zoom_label)
        controls.addStretch(1)
        grid.addLayout(controls, 2, 0, 1, max(1, len(images)))
        for key, slot in (
            ("+", lambda: self.zoom_by(ZOOM_STEP)),
            ("=", lambda: self.zoom_by(ZOOM_STEP)),
            ("-", lambda: self.zoom_by(1 / ZOOM_STEP)),
            ("0", self.fit),
            ("1", lambda: self.set_zoom(1.0)),
        ):
            QShortcut(QKeySequence(key), self, activated=slot)
        self._syncing = False
        for scroll in self.scrolls:
            for bar in (scroll.horizontalScrollBar(), scroll.verticalScrollBar()):
                bar.valueChanged.connect(lambda _v, b=bar: self._follow(b))
        self.zoom = 1.0
        self.resize(1200, 760)
        self.set_zoom(1.0)
        QTimer.singleShot(0, self.centre)

    # -- zoom -----------------------------------------------------------------------------------
    def displayed_size(self, index: int) -> QSize:
        """How big photo ``index`` is drawn now: the same width for all, times the zoom."""
        pixmap = self.pixmaps[index]
        if pixmap.isNull() or not self.reference:
            return QSize()
        width = max(1, round(self.reference * self.zoom))
        return QSize(width, max(1, round(pixmap.height() * width / pixmap.width())))

    def set_zoom(self, zoom: float) -> None:
        fractions = [self._fractions(s) for s in self.scrolls]
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        for i, (label, pixmap) in enumerate(zip(self.labels, self.pixmaps, strict=True)):
            if not pixmap.isNull():
                size = self.displayed_size(i)
                mode = Qt.TransformationMode.SmoothTransformation
                label.setPixmap(pixmap.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio, mode))
                label.resize(size)
        self.zoom_label.setText(f"{round(self.zoom * 100)} % of the largest photo")
        self._syncing = True
        for scroll, (fx, fy) in zip(self.scrolls, fractions, strict=True):
            scroll.horizontalScrollBar().setValue(round(fx * scroll.horizontalScrollBar().maximum()))
            scroll.verticalScrollBar().setValue(round(fy * scroll.verticalScrollBar().maximum()))
        self._syncing = False

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fit(self) -> None:
        """Whole photos: the zoom at which the tallest drawn photo fits its pane."""
        if not self.scrolls or not self.reference:
            return
        view = self.scrolls[0].viewport().size()
        ratios = [p.height() / p.width() for p in self.pixmaps if not p.isNull()]
        tallest = max(ratios, default=1.0)
        self.set_zoom(min(view.width() / self.reference, view.height() / (self.reference * tallest)))

    # -- panning together ---------------------------------------------------------------------------
    @staticmethod
    def _fractions(scroll: QScrollArea) -> tuple[float, float]:
        h, v = scroll.horizontalScrollBar(), scroll.verticalScrollBar()
        return (h.value() / h.maximum() if h.maximum() else 0.5, v.value() / v.maximum() if v.maximum() else 0.5)

    def centre(self) -> None:
        """Start at the middle of every photo, where the subject usually is."""
        for scroll in self.scrolls:
            for bar in (scroll.horizontalScrollBar(), scroll.verticalScrollBar()):
                bar.setValue((bar.minimum() + bar.maximum()) // 2)

    def _follow(self, moved: QScrollBar) -> None:
        if self._syncing or moved.maximum() <= 0:
            return
        self._syncing = True  # setValue on the others must not echo back
        fraction = moved.value() / moved.maximum()
        horizontal = moved.orientation() == Qt.Orientation.Horizontal
        for scroll in self.scrolls:
            bar = scroll.horizontalScrollBar() if horizontal else scroll.verticalScrollBar()
            if bar is not moved:
                bar.setValue(round(fraction * bar.maximum()))
        self._syncing = False
