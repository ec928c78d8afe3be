"""TagUndo: the tag edits made in the viewer, undone one by one (newest first).

Ctrl+Z in the viewer undoes the last edit; once the viewer is closed, an "Undo" button in
the status bar offers the same (``offer``), so a tag removed by mistake can come back
after the photo is out of sight. Undoing goes through the same TagService.edit as the
edit did: a removed tag is added back by hand (the library remembers it as the person's
choice from then on), an added one removed.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from photoapp.gui.workers import error_text


class TagEdit(NamedTuple):
    tag: str
    path: str
    added: bool  # True: the tag was added; False: removed

    def text(self) -> str:
        verb, where = ("Added", "to") if self.added else ("Removed", "from")
        return f"{verb} the tag “{self.tag}” {where} {os.path.basename(self.path)}"

    def undone_text(self) -> str:
        what = "Took the tag “{}” off" if self.added else "Put the tag “{}” back on"
        return f"{what.format(self.tag)} {os.path.basename(self.path)}"


class TagUndo(QObject):
    undone = Signal(object)  # the TagEdit that was reverted, once the library has it

    def __init__(self, tags, status, parent=None):
        """``tags``: the TagService; ``status``: the window's StatusMessages."""
        super().__init__(parent)
        self.tags, self.status = tags, status
        self.edits: list[TagEdit] = []
        # A widget of its own, not the status bar's message line: a temporary message would
        # paint over it, and an index run's news would replace the offer.
        self.widget = QWidget()
        self.label = QLabel(self.widget)
        self.button = QToolButton(self.widget)
        self.button.setText("Undo")
        self.button.clicked.connect(self.undo)
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 8, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self.widget.hide()

    def record(self, edit: TagEdit) -> None:
        self.edits.append(edit)
        self.status.show(f"{edit.text()} — Ctrl+Z undoes it", 8000)

    def forget(self, edit: TagEdit) -> None:
        """An edit the library refused: nothing to undo."""
        if edit in self.edits:
            self.edits.remove(edit)

    def undo(self) -> TagEdit | None:
        """Revert the newest edit; the status bar says what came back."""
        if not self.edits:
            return None
        edit = self.edits.pop()
        self.widget.hide()

        def done(_result) -> None:
            self.status.show(edit.undone_text(), 8000)
            self.undone.emit(edit)

        failed = lambda error: self.status.show(f"Could not undo: {error_text(error)}", 10_000)  # noqa: E731
        self.tags.edit(edit.tag, [edit.path], not edit.added, on_done=done, on_failed=failed)
        return edit

    def offer(self) -> None:
        """After the viewer closes: the last edit in the status bar, with the Undo button."""
        if self.edits:
            self.label.setText(f"{self.edits[-1].text()}.")
            self.widget.show()
            self.status.clear()  # the viewer's "Ctrl+Z undoes it" no longer holds here

    def withdraw(self) -> None:
        self.widget.hide()
