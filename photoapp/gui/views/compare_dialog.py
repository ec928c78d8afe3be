"""CompareDialog: two to four photos at 100 %, side by side, panned together.

Duplicates differ in detail (recompression, a resize, a crop): only actual pixels show
which copy is better. Panning one pans all to the same relative spot, so the same part
of the picture stays side by side even when the copies differ in size.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QScrollArea, QScrollBar


class CompareDialog(QDialog):
    def __init__(self, images: list[tuple[str, QImage, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Compare at 100 % — Photoapp")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        grid = QGridLayout(self)
        self.scrolls: list[QScrollArea] = []
        for column, (path, image, error) in enumerate(images):
            caption = QLabel(self)
            facts = f"{image.width()}×{image.height()}" if not image.isNull() else error
            caption.setText(f"<b>{os.path.basename(path)}</b> · {facts}")
            caption.setToolTip(path)
            label = QLabel(self)
            if image.isNull():
                label.setText("This photo cannot be shown")
            else:
                label.setPixmap(QPixmap.fromImage(image))
            scroll = QScrollArea(self)
            scroll.setWidget(label)
            scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(caption, 0, column)
            grid.addWidget(scroll, 1, column)
            self.scrolls.append(scroll)
        self._syncing = False
        for scroll in self.scrolls:
            for bar in (scroll.horizontalScrollBar(), scroll.verticalScrollBar()):
                bar.valueChanged.connect(lambda _v, b=bar: self._follow(b))
        self.resize(1200, 760)
        QTimer.singleShot(0, self.centre)

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
