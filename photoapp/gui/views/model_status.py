"""ModelStatus: "Loading the search model…" with a busy bar in the status bar, while the
model loads in the background after the window shows; a search typed meanwhile is named."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget


class ModelStatus(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: loading has no counts
        self.bar.setMaximumWidth(120)
        self.bar.setTextVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.hide()

    def loading(self) -> None:
        self.label.setText("Loading the search model…")
        self.show()

    def waiting(self, query: str) -> None:
        """A search typed while the model loads: it runs as soon as the model is ready."""
        if self.isVisible():
            self.label.setText(f"Loading the search model… “{query}” is searched as soon as it is ready")

    def ready(self, _error=None) -> None:
        self.hide()
