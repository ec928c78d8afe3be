"""SearchBar: natural-language search with debounce; drop an image on it to find similar."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit

from photoapp.gui.views.drops import dropped_paths

PLACEHOLDER = "Search, e.g. “beach at sunset”"
DEBOUNCE_MS = 350  # long enough not to search on every keystroke, short enough to feel live


class SearchBar(QLineEdit):
    query_changed = Signal(str)  # debounced; "" means back to browsing
    similar_requested = Signal(str)  # an image file dropped onto the bar

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPlaceholderText(PLACEHOLDER)
        self.setToolTip(
            "Describe what you look for, e.g. “red circle”, “beach at sunset”, “dog in the snow”.\n"
            "Drop a photo here to find similar ones. Ctrl+F comes back here; Esc clears."
        )
        self.setClearButtonEnabled(True)
        self.setAcceptDrops(True)
        self.setAccessibleName("Search")
        # Never narrower than its hint: at the window's minimum width the hint is still whole.
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(PLACEHOLDER) + 48)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._fire)
        self.textEdited.connect(lambda _text: self._timer.start())
        self._last = ""

    def _fire(self) -> None:
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.query_changed.emit(text)

    def clear_query(self) -> None:
        """Esc: clear at once (no debounce) and return to the date-sorted gallery."""
        self._timer.stop()
        self.clear()
        self._fire()

    def set_query_silently(self, text: str) -> None:
        self._timer.stop()
        self.setText(text)
        self._last = text.strip()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear_query()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._timer.stop()
            self._fire()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- drop an image to search by example -------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if self._image_from(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._image_from(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        image = self._image_from(event)
        if image:
            event.acceptProposedAction()
            self.similar_requested.emit(image)
        else:
            super().dropEvent(event)

    @staticmethod
    def _image_from(event) -> str | None:
        from photoapp.core.library import Library

        files = [p for p in dropped_paths(event.mimeData()) if os.path.isfile(p)]
        return files[0] if files and Library.is_photo_file(files[0]) else None
