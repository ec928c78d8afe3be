"""MapPage: the world map as a page of the main window, with a bar above it (back, zoom,
the whole world, how to choose photos) and a line for a library without positions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from photoapp.gui.views.world_map import WorldMap

HINT = "Scroll to zoom · drag to move · click a marker, or Shift+drag a box, to show those photos · Esc: back"


class MapPage(QWidget):
    back_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.map = WorldMap(self)
        self.back_button = QPushButton("← Back to photos", self)
        self.back_button.clicked.connect(self.back_requested)
        self.title = QLabel("World map", self)
        self.title.setObjectName("sidebarTitle")
        self.hint = QLabel(HINT, self)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.title)
        bar.addWidget(self.hint, 1)
        for text, tip, slot in (
            ("+", "Zoom in (+)", lambda: self.map.zoom(2.0)),
            ("−", "Zoom out (-)", lambda: self.map.zoom(0.5)),
            ("World", "Show the whole world (0)", self.map.show_world),
        ):
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.map, 1)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.back_requested.emit()  # Esc goes back to the photos
        else:
            super().keyPressEvent(event)

    def set_positions(self, lat, lon) -> None:
        self.map.set_positions(lat, lon)
        n = len(lat)
        if n:
            self.title.setText(f"World map — {n:,} photo{'s' if n != 1 else ''} with a position")
            self.hint.setText(HINT)
        else:
            self.title.setText("World map")
            self.hint.setText("No photo carries a GPS position yet: photos taken with location on appear here.")
