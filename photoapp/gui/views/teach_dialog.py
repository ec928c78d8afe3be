"""TeachDialog: teach a tag from photos chosen in the gallery; SmartAlbumDialog: save a search.

Teaching needs at least 3 examples (the probe's minimum); the dialog shows them so the
user sees what the tag is learnt from, and names an existing taught tag to add examples
to it (retraining it) rather than start a new one.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

SHOWN = 24  # example thumbnails shown; the rest are counted
ICON = 72


class TeachDialog(QDialog):
    def __init__(self, paths: list[str], taught: list[str], thumbnails=None, parent=None, *, min_examples: int):
        super().__init__(parent)
        self.setWindowTitle("Teach a tag — Photoapp")
        self.paths = list(paths)
        self.min_examples = min_examples  # the engine's minimum (TagService.min_examples)
        self.name_box = QComboBox(self)
        self.name_box.setEditable(True)
        self.name_box.addItems(taught)
        self.name_box.setCurrentText("")
        self.name_box.lineEdit().setPlaceholderText("e.g. “my bike”, “grandma”, “receipts”")
        self.name_box.setToolTip("A new tag, or one taught before (these examples are added to it)")
        self.name_box.editTextChanged.connect(self._update)
        self.examples = QListWidget(self)
        self.examples.setViewMode(QListWidget.ViewMode.IconMode)
        self.examples.setIconSize(QSize(ICON, ICON))
        self.examples.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.examples.setMovement(QListWidget.Movement.Static)
        self.examples.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.examples.setFixedHeight(2 * (ICON + 16) + 8)
        self.thumbnails, self._items = thumbnails, {}
        for path in self.paths[:SHOWN]:
            item = QListWidgetItem("", self.examples)
            item.setToolTip(path)
            item.setSizeHint(QSize(ICON + 8, ICON + 8))
            self._items[path] = item
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)
            for path in self._items:
                self._thumbnail_ready(path)
        more = len(self.paths) - SHOWN
        self.count = QLabel(
            f"{len(self.paths)} example photos" + (f" ({more} more not shown)" if more > 0 else ""), self
        )
        self.count.setObjectName("hint")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Tag", self.name_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Teach")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.examples)
        layout.addWidget(self.count)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self._update()

    def name(self) -> str:
        return " ".join(self.name_box.currentText().split())

    def _thumbnail_ready(self, path: str) -> None:
        item = self._items.get(path)
        pixmap = self.thumbnails.pixmap(path, 0, ICON) if item is not None else None
        if pixmap is not None and not pixmap.isNull():
            item.setIcon(QIcon(pixmap))

    def done(self, result: int) -> None:
        if self.thumbnails is not None:
            self.thumbnails.ready.disconnect(self._thumbnail_ready)
        super().done(result)

    def _update(self) -> None:
        enough = len(self.paths) >= self.min_examples
        if not enough:
            self.note.setText(f"Select at least {self.min_examples} photos of the same thing in the gallery first.")
        else:
            self.note.setText(
                "Photoapp learns what these photos have in common and tags every photo that "
                "matches, now and as new photos arrive. Remove the tag from a photo that should not "
                "have it and the tag learns from that too."
            )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(enough and bool(self.name()))


class SmartAlbumDialog(QDialog):
    """A name and a search query (prefilled with the current search)."""

    def __init__(self, query: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle("New smart album — Photoapp")
        self.query_edit = QLineEdit(query, self)
        self.query_edit.setPlaceholderText("what the photos show, e.g. “snow mountains”")
        # The suggested name is the field's placeholder, not its text: typing replaces it
        # (a prefilled text would take the typing after it: "mountainsMountains").
        self.name_edit = QLineEdit(self)
        self.query_edit.textChanged.connect(self._query_changed)
        self.name_edit.textChanged.connect(self._update)
        note = QLabel(
            "A smart album is a saved search: it always shows the photos that match, including ones added later.", self
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        form = QFormLayout()
        form.addRow("Search for", self.query_edit)
        form.addRow("Name", self.name_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())
        self._query_changed(query)

    def _query_changed(self, text: str) -> None:
        suggestion = text.strip()
        self.name_edit.setPlaceholderText(suggestion or "album name")
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name() and self.query()))

    def name(self) -> str:
        """What was typed, or the suggestion the field shows."""
        typed = self.name_edit.text().strip()
        return typed or (self.name_edit.placeholderText() if self.query() else "")

    def query(self) -> str:
        return self.query_edit.text().strip()
