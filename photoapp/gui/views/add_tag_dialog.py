"""AddTagDialog: a tag name for the selected photos. Starts empty (Enter on an empty field
does nothing), completes from the library's tags, sized so its title and text show whole."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout


class AddTagDialog(QDialog):
    def __init__(self, count: int, known: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add a tag")
        layout = QVBoxLayout(self)
        what = "the selected photo" if count == 1 else f"the {count:,} selected photos"
        layout.addWidget(QLabel(f"A tag for {what}:", self))
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("e.g. holiday, family, to print")
        completer = QCompleter(known, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        layout.addWidget(self.field)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add tag")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._update)
        self._update("")
        self.setMinimumWidth(max(380, self.fontMetrics().horizontalAdvance("Add a tag — Photoapp") + 160))

    def _update(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.tag()))

    def tag(self) -> str:
        return " ".join(self.field.text().split())

    def accept(self) -> None:
        if self.tag():  # Enter on an empty field applies nothing
            super().accept()
