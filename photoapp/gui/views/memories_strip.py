"""MemoriesStrip: "On this day" at the top of the timeline. A slim row above the gallery
with the newest of the photos taken on today's date in earlier years, how many there are,
and a button that shows them (the sidebar's "On this day" album). It shows only while the
user browses all photos (no search, album, folder or filter) and there are such photos;
its ✕ puts it away until the next day."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from photoapp.gui.services.thumbnails import centre_square

COVER = 40  # px, the cover's side


class MemoriesStrip(QFrame):
    open_requested = Signal()  # "Show": the photos of this day in earlier years

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("memories")
        self.cover = QLabel(self)
        self.cover.setFixedSize(COVER, COVER)
        self.cover.setScaledContents(False)
        self.label = QLabel(self)
        self.label.setWordWrap(True)  # never widens the window (narrow laptop screens)
        self.show_button = QPushButton("Show", self)
        self.show_button.setToolTip("Show the photos taken on this date in earlier years")
        self.show_button.clicked.connect(self.open_requested)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Hide until tomorrow (the photos stay under On this day in the sidebar)")
        close.clicked.connect(self.dismiss)
        self.close_button = close
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 6, 4)
        layout.addWidget(self.cover)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(close)
        self.count = 0
        self.cover_photo: tuple | None = None  # (path, mtime)
        self.dismissed_on: date | None = None
        self._browsing = False
        self.hide()

    def set_memories(self, count: int, cover: tuple | None, day: date | None = None) -> None:
        """How many photos today's date holds in earlier years, and the newest one."""
        day = day or date.today()
        self.count, self.cover_photo = count, cover
        when = f"{day.day} {day:%B}"
        self.label.setText(
            f"<b>On this day</b> — {count:,} photo{'s' if count != 1 else ''} taken on {when} in earlier years"
        )
        if cover is None:
            self.cover.clear()
        self._update()

    def set_cover(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            return
        smooth = Qt.TransformationMode.SmoothTransformation
        self.cover.setPixmap(centre_square(pixmap).scaled(COVER, COVER, Qt.AspectRatioMode.KeepAspectRatio, smooth))

    def set_browsing(self, browsing: bool) -> None:
        """Whether the gallery shows all photos, unfiltered (the timeline itself)."""
        self._browsing = browsing
        self._update()

    def dismiss(self) -> None:
        self.dismissed_on = date.today()
        self._update()

    def _update(self) -> None:
        dismissed = self.dismissed_on == date.today()
        self.setVisible(self._browsing and self.count > 0 and not dismissed)
