"""EmptyState: what a new library shows instead of an empty grid: how to add photos."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from photoapp.gui.icon import app_icon


class EmptyState(QWidget):
    add_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("<h2>Your library is empty</h2>", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Add a folder of photos to get started — or drag a folder onto this window.<br>"
            "Photoapp indexes them on this computer; nothing is uploaded.",
            self,
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        self.button = QPushButton("Add a folder…", self)
        self.button.setDefault(True)
        self.button.clicked.connect(self.add_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
