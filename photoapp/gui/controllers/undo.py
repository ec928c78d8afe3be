"""UndoController: every change a person makes in the window (tags, stars, favourites,
rotation, trash), undone one by one, newest first, through the core's UndoStack
(photoapp/core/undo.py).

Ctrl+Z (in the gallery and in the viewer) undoes the last change; the status bar keeps an
"Undo" button with what it would undo, so a change made by mistake can come back after
the viewer is closed or the photo is out of sight. Reverting runs on the query thread
(services/actions.py), as the change did.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from photoapp.core.undo import UndoStack
from photoapp.gui.workers import error_text


class UndoController(QObject):
    undone = Signal(object)  # the change that was reverted, once the library has it

    def __init__(self, actions, tags, status, parent=None):
        """``actions``: the ActionService; ``tags``: the TagService (told when tags change
        back); ``status``: the window's StatusMessages."""
        super().__init__(parent)
        self.actions, self.tags, self.status = actions, tags, status
        self.stack = UndoStack()
        # A widget of its own, not the status bar's message line: a temporary message would
        # paint over it, and an index run's news would replace the offer.
        self.widget = QWidget()
        self.label = QLabel(self.widget)
        self.button = QToolButton(self.widget)
        self.button.setText("Undo")
        self.button.setToolTip("Undo the last change (Ctrl+Z)")
        self.button.clicked.connect(self.undo)
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 8, 0)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self.widget.hide()

    @property
    def changes(self) -> list:
        return self.stack.changes

    def record(self, change) -> None:
        """A change that was made (None: nothing changed, nothing to undo)."""
        if change is None:
            return
        self.stack.push(change)
        self.offer()

    def forget(self, change) -> None:
        """A change the library refused: nothing to undo."""
        self.stack.forget(change)
        self.offer()

    def undo(self):
        """Revert the newest change; the status bar says what came back."""
        change = self.stack.pop()
        if change is None:
            self.status.show("Nothing to undo", 4000)
            return None
        self.widget.hide()

        def done(_result) -> None:
            self.status.show(change.undone_text(), 8000)
            if change.kind == "tag":
                self.tags.changed.emit()
            self.undone.emit(change)
            self.offer()

        def failed(error) -> None:
            self.status.show(f"Could not undo: {error_text(error)}", 10_000)
            self.offer()

        self.actions.revert(change, on_done=done, on_failed=failed)
        return change

    def offer(self) -> None:
        """The newest change in the status bar, with the Undo button (hidden when none)."""
        change = self.stack.peek()
        if change is None:
            self.widget.hide()
            return
        self.label.setText(f"{change.text()}.")
        self.widget.show()

    def withdraw(self) -> None:
        self.widget.hide()
