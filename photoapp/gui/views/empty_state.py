"""What the gallery shows instead of an empty grid, centred: how to add photos (a new
library), or why nothing is listed and what to do about it (no match, filters)."""

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
        title = QLabel("<h2>Add a folder to start</h2>", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Choose a folder of photos — or drag a folder onto this window.<br>"
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


class NoPhotos(QWidget):
    """A centred message with links ("show the closest anyway", "clear the filters")."""

    link_activated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.linkActivated.connect(self.link_activated)
        self.detail = QLabel(self)
        self.detail.setObjectName("hint")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addStretch(3)

    def show_message(self, title: str, detail: str = "") -> None:
        self.title.setText(f"<h3>{title}</h3>")
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
